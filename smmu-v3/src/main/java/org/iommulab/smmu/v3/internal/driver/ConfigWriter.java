package org.iommulab.smmu.v3.internal.driver;

import org.iommulab.api.platform.PhysicalMemory;

/**
 * Writes STEs and CDs with Linux's hitless protocol ({@link EntryWriter}), the sync of each step
 * being the entry's invalidation plus CMD_SYNC: {@code arm_smmu_ste_writer_sync_entry}
 * (CFGI_STE of the StreamID) and {@code arm_smmu_cd_writer_sync_entry} (CFGI_CD of each of the
 * master's StreamIDs). Thread-safe: one lock for all configuration writes.
 */
final class ConfigWriter {
    private final StreamTable table;
    private final EntryWriter writer;
    private final CommandBatch batch;
    private final long[] ste = new long[EntryWriter.QWORDS];
    private final long[] cd = new long[EntryWriter.QWORDS];

    ConfigWriter(PhysicalMemory memory, StreamTable table, CommandQueue cmdq) {
        this.table = table;
        this.writer = new EntryWriter(memory);
        this.batch = new CommandBatch(cmdq);
    }

    /** Points every StreamID of {@code master} at {@code domain} (null: abort), CD first. */
    synchronized void attach(Master master, AttachedDomain domain) {
        boolean hasCd = domain != null && domain.makeCd(cd);
        if (hasCd) {
            writeCd(master, cd);
        }
        for (int sid : master.sids) {
            if (domain == null) {
                SteEntries.abort(ste);
            } else {
                domain.makeSte(master, ste);
            }
            writeSte(sid, ste);
        }
        if (!hasCd) {
            CdEntries.clear(cd);
            writeCd(master, cd);
        }
    }

    synchronized void writeSte(int sid, long[] target) {
        writer.write(table.steAddress(sid), target, new EntryWriter.Ops() {
            @Override
            public void usedBits(long[] entry, long[] used) {
                SteEntries.usedBits(entry, used);
            }

            @Override
            public void sync() {
                Commands.cfgiSte(batch.scratch(), sid);
                batch.addScratch();
                batch.submit();
            }
        });
    }

    private void writeCd(Master master, long[] target) {
        writer.write(master.cdTable.base(), target, new EntryWriter.Ops() {
            @Override
            public void usedBits(long[] entry, long[] used) {
                CdEntries.usedBits(entry, used);
            }

            @Override
            public void sync() {
                for (int sid : master.sids) {
                    Commands.cfgiCd(batch.scratch(), sid, 0);
                    batch.addScratch();
                }
                batch.submit();
            }
        });
    }

    /** Syncs the hitless writer needed so far. */
    synchronized long syncs() {
        return writer.syncs();
    }
}
