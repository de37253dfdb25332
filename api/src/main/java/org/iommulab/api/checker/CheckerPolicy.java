package org.iommulab.api.checker;

/**
 * What the DMA-API checker does with a misused call (an unmap, sync or free that does not match
 * the live mapping it names): the platform's {@code checker.policy}, settable per device.
 */
public enum CheckerPolicy {
    /**
     * The call is refused: its findings are reported, it throws a
     * {@link org.iommulab.api.dma.DmaUsageException} and changes nothing (no mapping, table,
     * IOVA or pool changes). The default for workloads: a driver bug is loud and leaves the
     * platform as it was.
     */
    REFUSE,
    /**
     * What Linux's dma-debug does: the findings are reported, then the call is carried out with
     * the caller's arguments (a wrong-size unmap still unmaps, with the wrong size; a sync
     * outside the mapping still syncs) and returns normally. A call that names no live mapping
     * has nothing to carry out and does nothing. A replay of a traced driver uses it, so that a
     * buggy driver's run goes on as it went on in Linux.
     */
    REPORT
}
