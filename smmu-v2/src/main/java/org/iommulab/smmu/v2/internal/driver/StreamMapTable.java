package org.iommulab.smmu.v2.internal.driver;

import java.util.Arrays;

import org.iommulab.api.iommu.IommuErrno;
import org.iommulab.smmu.v2.internal.model.regs.Gr0;

/**
 * The driver's copy of the stream mapping groups (Linux {@code smmu->smrs} and
 * {@code smmu->s2crs}) and the functions that keep the hardware in line with it:
 * {@code arm_smmu_find_sme}, {@code arm_smmu_master_alloc_smes}, {@code arm_smmu_free_sme},
 * {@code arm_smmu_write_sme} (S2CR before SMR, so a stream never matches an SMR whose S2CR is
 * stale). An entry is shared only by the streams of one device, as Linux shares one only within
 * an IOMMU group. Thread-safe (Linux's {@code stream_map_mutex}).
 */
final class StreamMapTable {
    private final SmmuIo io;
    private final int initType;
    private final int[] id;
    private final int[] mask;
    private final boolean[] valid;
    private final int[] type;
    private final int[] cbndx;
    private final int[] count;
    private final String[] owner;

    /** @param disableBypass Linux's {@code disable_bypass}: unattached streams fault instead of bypassing */
    StreamMapTable(SmmuIo io, int groups, boolean disableBypass) {
        this.io = io;
        this.initType = disableBypass ? Gr0.S2CR_TYPE_FAULT : Gr0.S2CR_TYPE_BYPASS;
        id = new int[groups];
        mask = new int[groups];
        valid = new boolean[groups];
        type = new int[groups];
        cbndx = new int[groups];
        count = new int[groups];
        owner = new String[groups];
        Arrays.fill(type, initType);
    }

    /** The S2CR type of a stream mapping no domain is attached to ({@code s2cr_init_val}). */
    int initType() {
        return initType;
    }

    int groups() {
        return id.length;
    }

    /**
     * Linux {@code arm_smmu_find_sme}: the entry to use for stream {@code sid} with mask
     * {@code m}: an existing valid entry that entirely covers it, else the first free one;
     * {@link IommuErrno#EINVAL} when it would partly overlap an existing entry (some stream would
     * then match two SMRs: a stream match conflict), {@link IommuErrno#ENOSPC} when all are used.
     */
    synchronized int findSme(int sid, int m) {
        int free = IommuErrno.ENOSPC;
        for (int i = 0; i < id.length; i++) {
            if (!valid[i]) {
                // "Note the first free entry we come across, which we'll claim in the end if
                // nothing else matches."
                if (free < 0) {
                    free = i;
                }
                continue;
            }
            // "If the new entry is _entirely_ matched by an existing entry, then reuse that."
            if ((m & mask[i]) == m && ((sid ^ id[i]) & ~mask[i]) == 0) {
                return i;
            }
            // "If the new entry has any other overlap with an existing one, though, then there
            // always exists at least one stream ID which would cause a conflict."
            if (((sid ^ id[i]) & ~(mask[i] | m)) == 0) {
                return IommuErrno.EINVAL;
            }
        }
        return free;
    }

    /**
     * Linux {@code arm_smmu_master_alloc_smes}: an entry per stream ID for {@code device}; on
     * failure nothing is claimed and the error says why.
     *
     * @return the entry indexes, one per stream ID
     * @throws IllegalArgumentException naming the stream that could not be mapped
     */
    synchronized int[] allocate(String device, int[] sids, int m) {
        int[] idx = new int[sids.length];
        int done = 0;
        String error = null;
        for (; done < sids.length; done++) {
            int i = findSme(sids[done], m);
            if (i < 0) {
                error = i == IommuErrno.ENOSPC ? "no free stream match register" : "it overlaps an existing SMR";
                break;
            }
            if (count[i] > 0 && !device.equals(owner[i])) {
                error = "SMR " + i + " already matches it for " + owner[i];
                break;
            }
            if (count[i] == 0) {
                id[i] = sids[done];
                mask[i] = m;
                valid[i] = true;
                owner[i] = device;
            }
            count[i]++;
            idx[done] = i;
        }
        if (error != null) {
            for (int j = done - 1; j >= 0; j--) {
                release(idx[j]);
            }
            throw new IllegalArgumentException(String.format("%s: stream ID 0x%x cannot be mapped: %s", device,
                    sids[done], error));
        }
        // "It worked! Now, poke the actual hardware."
        for (int i : idx) {
            writeSme(i);
        }
        return idx;
    }

    /** Linux {@code arm_smmu_free_sme} for each entry, rewriting the ones that became free. */
    synchronized void free(int[] idx) {
        for (int i : idx) {
            if (release(i)) {
                writeSme(i);
            }
        }
    }

    private boolean release(int i) {
        if (--count[i] > 0) {
            return false;
        }
        type[i] = initType;
        cbndx[i] = 0;
        valid[i] = false;
        owner[i] = null;
        return true;
    }

    /** Points entries at a context bank ({@code S2CR_TYPE_TRANS}) or sets them to bypass or fault. */
    synchronized void setType(int[] idx, int t, int cb) {
        for (int i : idx) {
            if (type[i] == t && cbndx[i] == cb) {
                continue;
            }
            type[i] = t;
            cbndx[i] = cb;
            writeS2cr(i);
        }
    }

    /** Linux {@code arm_smmu_write_sme}. */
    synchronized void writeSme(int i) {
        writeS2cr(i);
        int reg = (int) (Gr0.SMR_ID.of(id[i]) | Gr0.SMR_MASK.of(mask[i]) | (valid[i] ? Gr0.SMR_VALID.mask() : 0));
        io.gr0Write(Gr0.SMR, i, reg);
    }

    private void writeS2cr(int i) {
        io.gr0Write(Gr0.S2CR, i, (int) (Gr0.S2CR_TYPE.of(type[i]) | Gr0.S2CR_CBNDX.of(cbndx[i])));
    }

    synchronized int type(int i) {
        return type[i];
    }

    synchronized boolean valid(int i) {
        return valid[i];
    }
}
