package org.iommulab.api.platform;

/**
 * One entry of a device's DMA range map, Linux {@code struct bus_dma_region}: CPU physical
 * addresses {@code [cpuStart, cpuStart+size)} appear on the device's bus at {@code dmaStart}.
 */
public final class DmaRange {
    private final long cpuStart;
    private final long dmaStart;
    private final long size;

    public DmaRange(long cpuStart, long dmaStart, long size) {
        if (size <= 0 || cpuStart < 0 || dmaStart < 0 || cpuStart + size < cpuStart || dmaStart + size < dmaStart) {
            throw new IllegalArgumentException(String.format("bad DMA range cpu 0x%x dma 0x%x size 0x%x", cpuStart, dmaStart, size));
        }
        this.cpuStart = cpuStart;
        this.dmaStart = dmaStart;
        this.size = size;
    }

    public long cpuStart() {
        return cpuStart;
    }

    public long dmaStart() {
        return dmaStart;
    }

    public long size() {
        return size;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DmaRange)) {
            return false;
        }
        DmaRange r = (DmaRange) o;
        return r.cpuStart == cpuStart && r.dmaStart == dmaStart && r.size == size;
    }

    @Override
    public int hashCode() {
        return (int) (cpuStart * 31 + dmaStart * 17 + size);
    }

    @Override
    public String toString() {
        return String.format("cpu 0x%x -> dma 0x%x size 0x%x", cpuStart, dmaStart, size);
    }
}
