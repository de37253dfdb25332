package org.iommulab.api.dma;

/**
 * The error numbers the DMA API returns, negated as in Linux. {@code dma_map_sgtable} returns
 * 0 or one of these ({@code kernel/dma/mapping.c}, {@code __dma_map_sg_attrs}): no other value
 * may come out of a mapping operation.
 */
public final class DmaErrno {
    /** {@code -EIO}: legacy failure, or a lower layer returned {@code DMA_MAPPING_ERROR}. */
    public static final int EIO = -5;
    /** {@code -ENOMEM}: resources (memory, IOVA space, bounce slots) ran out; retrying later may work. */
    public static final int ENOMEM = -12;
    /** {@code -EINVAL}: the request can never succeed, however often it is retried. */
    public static final int EINVAL = -22;
    /** {@code -EREMOTEIO}: peer-to-peer memory the device cannot reach. */
    public static final int EREMOTEIO = -121;

    private DmaErrno() {
    }

    /** True for the four values a mapping operation may return (Linux accepts only these). */
    public static boolean isMappingStatus(int status) {
        return status == EIO || status == ENOMEM || status == EINVAL || status == EREMOTEIO;
    }

    /** Symbolic name of an error value, for messages. */
    public static String name(int status) {
        switch (status) {
            case 0: return "0";
            case EIO: return "-EIO";
            case ENOMEM: return "-ENOMEM";
            case EINVAL: return "-EINVAL";
            case EREMOTEIO: return "-EREMOTEIO";
            default: return Integer.toString(status);
        }
    }
}
