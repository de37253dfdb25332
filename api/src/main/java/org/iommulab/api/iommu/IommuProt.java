package org.iommulab.api.iommu;

/** Protection bits of an IOMMU mapping, Linux {@code IOMMU_*} from {@code include/linux/iommu.h}. */
public final class IommuProt {
    public static final int READ = 1 << 0;
    public static final int WRITE = 1 << 1;
    /** Cache-coherent access. */
    public static final int CACHE = 1 << 2;
    public static final int NOEXEC = 1 << 3;
    /** Device memory (MMIO) rather than normal memory. */
    public static final int MMIO = 1 << 4;
    /** Privileged accesses only. */
    public static final int PRIV = 1 << 5;

    private IommuProt() {
    }
}
