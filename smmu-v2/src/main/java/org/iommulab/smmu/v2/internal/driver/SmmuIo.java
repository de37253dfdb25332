package org.iommulab.smmu.v2.internal.driver;

import org.iommulab.modelkit.regs.Register;
import org.iommulab.smmu.v2.internal.model.SmmuV2Model;

/**
 * The driver's view of the SMMU's registers: Linux's {@code arm_smmu_readl}/{@code _writel}
 * and friends over {@code arm_smmu_page(smmu, n) = base + (n << pgshift)}, with GR0 at page 0,
 * GR1 at page 1 and context bank {@code n} at page {@code numpage + n}
 * ({@code ARM_SMMU_CB(s, n)}). Page shift and NUMPAGE are learnt from ID1 by the probe and
 * set here; until then only GR0 is reachable. Every access goes through the model's
 * memory-mapped interface.
 */
final class SmmuIo {
    private final SmmuV2Model hw;
    private int pgshift = 12;
    private int numpage = 1;

    SmmuIo(SmmuV2Model hw) {
        this.hw = hw;
    }

    /** Sets the geometry the probe read from ID1. */
    void geometry(int pageShift, int numPage) {
        pgshift = pageShift;
        numpage = numPage;
    }

    int pageShift() {
        return pgshift;
    }

    private long page(int n) {
        return (long) n << pgshift;
    }

    int gr0Read(Register r) {
        return hw.read32(page(0) + r.offset());
    }

    int gr0Read(Register r, int i) {
        return hw.read32(page(0) + r.offset(i));
    }

    void gr0Write(Register r, int v) {
        hw.write32(page(0) + r.offset(), v);
    }

    void gr0Write(Register r, int i, int v) {
        hw.write32(page(0) + r.offset(i), v);
    }

    long gr0ReadQ(Register r) {
        return hw.read64(page(0) + r.offset());
    }

    int gr1Read(Register r, int i) {
        return hw.read32(page(1) + r.offset(i));
    }

    void gr1Write(Register r, int i, int v) {
        hw.write32(page(1) + r.offset(i), v);
    }

    int cbRead(int cb, Register r) {
        return hw.read32(page(numpage + cb) + r.offset());
    }

    void cbWrite(int cb, Register r, int v) {
        hw.write32(page(numpage + cb) + r.offset(), v);
    }

    long cbReadQ(int cb, Register r) {
        return hw.read64(page(numpage + cb) + r.offset());
    }

    void cbWriteQ(int cb, Register r, long v) {
        hw.write64(page(numpage + cb) + r.offset(), v);
    }

    /** Reads any register by page number, for the sync loop. */
    int read(int pageNo, Register r) {
        return hw.read32(page(pageNo) + r.offset());
    }

    void write(int pageNo, Register r, int v) {
        hw.write32(page(pageNo) + r.offset(), v);
    }

    /** Page number of context bank {@code cb}. */
    int cbPage(int cb) {
        return numpage + cb;
    }
}
