package org.iommulab.api.iommu;

import java.util.Locale;

/**
 * A reserved region of a device's I/O address space, Linux {@code struct iommu_resv_region}
 * ({@code include/linux/iommu.h}) as an IOMMU driver's {@code get_resv_regions} reports it.
 * What iommu-dma does with each type ({@code iova_reserve_iommu_regions},
 * {@code iommu_create_device_direct_mappings}, {@code drivers/iommu/dma-iommu.c} and
 * {@code iommu.c}):
 * <ul>
 * <li>{@link Type#SW_MSI}: the window in which software maps MSI doorbells (arm-smmu reports
 * {@code MSI_IOVA_BASE} 0x8000000, {@code MSI_IOVA_LENGTH} 1 MiB). iommu-dma does not reserve it
 * ("We ARE the software that manages these!"): it maps each doorbell page at an IOVA from its
 * normal allocator ({@code iommu_dma_get_msi_page});</li>
 * <li>{@link Type#MSI}: a window the hardware does not translate (x86's 0xfee00000): reserved in
 * the IOVA space, and an MSI doorbell inside it is used at its own address, unmapped
 * ({@code cookie_init_hw_msi_region});</li>
 * <li>{@link Type#DIRECT} and {@link Type#DIRECT_RELAXABLE}: memory the device keeps reaching
 * (firmware's RMRR, IORT RMR): reserved, and mapped 1:1 into the device's DMA domain;</li>
 * <li>{@link Type#RESERVED}: reserved, never mapped.</li>
 * </ul>
 * Immutable.
 *
 * @param start first address of the region
 * @param length bytes, positive
 * @param prot {@link IommuProt} bits a direct mapping gets
 * @param type what the region is
 */
public record IommuResvRegion(long start, long length, int prot, Type type) {
    /** Linux {@code enum iommu_resv_type}. */
    public enum Type {
        /** {@code IOMMU_RESV_DIRECT}: memory that must stay mapped 1:1. */
        DIRECT,
        /** {@code IOMMU_RESV_DIRECT_RELAXABLE}: 1:1 while the DMA domain is in use, may be dropped for VFIO. */
        DIRECT_RELAXABLE,
        /** {@code IOMMU_RESV_RESERVED}: never mapped. */
        RESERVED,
        /** {@code IOMMU_RESV_MSI}: an untranslated hardware MSI window. */
        MSI,
        /** {@code IOMMU_RESV_SW_MSI}: the window in which software maps MSI doorbells. */
        SW_MSI
    }

    public IommuResvRegion {
        if (type == null) {
            throw new IllegalArgumentException("a reserved region needs a type");
        }
        if (length <= 0 || Long.compareUnsigned(start + length - 1, start) < 0) {
            throw new IllegalArgumentException(String.format("reserved region 0x%x+0x%x is empty or wraps", start, length));
        }
    }

    /** Last address of the region, inclusive. */
    public long end() {
        return start + length - 1;
    }

    /** Linux {@code iommu_alloc_resv_region(MSI_IOVA_BASE, MSI_IOVA_LENGTH, prot, IOMMU_RESV_SW_MSI)} as arm-smmu reports it. */
    public static IommuResvRegion swMsi(long start, long length) {
        return new IommuResvRegion(start, length, IommuProt.WRITE | IommuProt.NOEXEC | IommuProt.MMIO, Type.SW_MSI);
    }

    /**
     * Parses {@code "type base+size"}, type one of {@code sw-msi}, {@code msi}, {@code direct},
     * {@code direct-relaxable}, {@code reserved}, numbers in hex with or without 0x
     * ({@code "sw-msi 0x8000000+0x100000"}). A direct region is mapped readable and writable; an
     * MSI one writable, never executable, as MMIO.
     *
     * @throws IllegalArgumentException naming what does not parse
     */
    public static IommuResvRegion parse(String text) {
        String t = text == null ? "" : text.trim();
        int sp = t.indexOf(' ');
        int plus = t.indexOf('+');
        if (sp <= 0 || plus < sp) {
            throw new IllegalArgumentException("reserved region '" + text + "' is not 'type base+size'");
        }
        String kind = t.substring(0, sp).toLowerCase(Locale.ROOT);
        long base = hex(t.substring(sp + 1, plus), text);
        long size = hex(t.substring(plus + 1), text);
        int msiProt = IommuProt.WRITE | IommuProt.NOEXEC | IommuProt.MMIO;
        switch (kind) {
            case "sw-msi": return new IommuResvRegion(base, size, msiProt, Type.SW_MSI);
            case "msi": return new IommuResvRegion(base, size, msiProt, Type.MSI);
            case "direct": return new IommuResvRegion(base, size, IommuProt.READ | IommuProt.WRITE, Type.DIRECT);
            case "direct-relaxable": return new IommuResvRegion(base, size, IommuProt.READ | IommuProt.WRITE, Type.DIRECT_RELAXABLE);
            case "reserved": return new IommuResvRegion(base, size, 0, Type.RESERVED);
            default:
                throw new IllegalArgumentException("reserved region '" + text
                        + "': type must be sw-msi, msi, direct, direct-relaxable or reserved");
        }
    }

    private static long hex(String s, String text) {
        String h = s.trim().toLowerCase(Locale.ROOT).replace("_", "");
        try {
            return Long.parseUnsignedLong(h.startsWith("0x") ? h.substring(2) : h, 16);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("reserved region '" + text + "': '" + s.trim() + "' is not a hex number");
        }
    }

    @Override
    public String toString() {
        return String.format("%s 0x%x+0x%x", type.name().toLowerCase(Locale.ROOT).replace('_', '-'), start, length);
    }
}
