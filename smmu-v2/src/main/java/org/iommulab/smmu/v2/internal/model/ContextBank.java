package org.iommulab.smmu.v2.internal.model;

/**
 * The state of one context bank: its GR1 attribute registers, its own register page, and the
 * hardware behind them (TLB, walk cache, pending invalidations, sync). Plain fields: the
 * register semantics live in {@link ContextSpace}, the translation in {@link ContextWalk}.
 * Guarded by the model's lock.
 */
final class ContextBank {
    final int index;

    // GR1 (IHI0062 Global Address Space 1)
    int cbar;
    int cbfrsynra;
    int cba2r;

    // Context bank page
    int sctlr;
    int actlr;
    int tcr2;
    long ttbr0;
    long ttbr1;
    int tcr;
    int contextidr;
    int mair0;
    int mair1;
    long par;
    int fsr;
    long far;
    int fsynr0;
    int fsynr1;
    long ipafar;

    final ContextTlb tlb;
    final WalkCache walks;
    final InvalidationQueue pending = new InvalidationQueue();
    final SyncState sync = new SyncState();

    /** Decoded configuration and the model generation it was decoded at. */
    TranslationConfig decoded;
    long decodedAt = -1;

    /** TLB hits whose leaf descriptor had changed since the fill: the lazy-flush window. */
    long staleHits;
    /** Invalidation operations written to this bank. */
    long invalidations;

    ContextBank(int index, int tlbEntries) {
        this.index = index;
        this.tlb = new ContextTlb(tlbEntries);
        this.walks = new WalkCache(Math.max(4, Math.min(64, tlbEntries / 8)));
    }
}
