package org.iommulab.api.dma;

/**
 * A DMA-API call the platform refused because the driver used the API wrongly: unmapping or
 * syncing something that was never mapped, freeing with a mismatched size, mapping an sg
 * table twice. Nothing was changed. The message uses Linux's dma-debug wording where Linux has
 * one ("device driver tries to free DMA memory it has not allocated").
 */
public class DmaUsageException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public DmaUsageException(String message) {
        super(message);
    }
}
