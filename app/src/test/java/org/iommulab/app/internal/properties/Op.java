package org.iommulab.app.internal.properties;

import java.util.List;

import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.platform.Zone;

/**
 * One step of a driver's random DMA-API sequence, as jqwik generates and shrinks it. Steps that
 * name a mapping do it by an index taken modulo the live mappings (no live mapping: the step does
 * nothing), so every sequence stays valid while jqwik shortens it or shrinks its numbers.
 */
sealed interface Op {
    /** {@code dma_map_phys} (or {@code dma_map_page} with the page and offset) of a fresh buffer. */
    record MapSingle(int size, int offset, DmaDirection dir, Zone zone, boolean viaPage, long seed) implements Op {
    }

    /** {@code dma_map_sgtable} (or {@code dma_map_sg}) of a list of fresh buffers, one entry each. */
    record MapSg(List<Entry> entries, DmaDirection dir, Zone zone, boolean sgtable, long seed) implements Op {
    }

    /** One CPU entry of a scatterlist: where it starts in its first page and how long it is. */
    record Entry(int offset, int length) {
    }

    /** {@code dma_alloc_coherent}. */
    record Alloc(int size, long seed) implements Op {
    }

    /** Unmap (or {@code dma_free_coherent}) of live mapping {@code index}. */
    record Unmap(int index) implements Op {
    }

    /** {@code dma_sync_*_for_cpu} then {@code _for_device} of live streaming mapping {@code index}. */
    record Sync(int index) implements Op {
    }

    /** The device writes {@code length} bytes at transfer offset {@code offset} of a mapping it may write. */
    record DeviceWrite(int index, int offset, int length, long seed) implements Op {
    }

    /** The device reads the whole of a mapping it may read. */
    record DeviceRead(int index) implements Op {
    }

    /** The CPU writes into a coherent buffer (the device must see it at once). */
    record CpuWrite(int index, int offset, int length, long seed) implements Op {
    }

    /** The device is swapped to backend {@code backend} (modulo the backends): its driver releases everything first. */
    record Swap(int backend) implements Op {
    }
}
