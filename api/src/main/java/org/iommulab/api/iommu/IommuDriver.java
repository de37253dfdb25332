package org.iommulab.api.iommu;

import java.util.List;

import org.iommulab.api.backend.BackendException;
import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.backend.TranslationPort;
import org.osgi.annotation.versioning.ProviderType;

/**
 * An IOMMU driver bound to its hardware model, Linux {@code struct iommu_ops}. Registered as an
 * OSGi service with {@value #NAME_PROPERTY}; iommu-dma makes a {@code DmaBackend} of the same
 * name from it, and withdraws that backend (moving its devices first) when the service goes.
 *
 * <h2>The contract</h2>
 *
 * What iommu-dma (the only caller besides the conformance kit, {@code org.iommulab.tck}) does
 * with a driver, what each call may assume and what it must guarantee. The kit's
 * {@code iova-to-phys}, {@code partial-invalidation}, {@code isolation-between-domains},
 * {@code detach-reattach}, {@code table-pages-returned} and {@code table-pages-zeroed} checks
 * drive a driver exactly this way, with devices of their own.
 *
 * <h3>Registration and ranking</h3>
 * <ul>
 * <li>The service carries {@value #NAME_PROPERTY} equal to {@link #name()}: the backend's name,
 * unique among all backends, stable across restarts (configuration targets it).</li>
 * <li>The backend's {@code service.ranking} is the driver service's when that is an
 * {@code Integer}, else iommu-dma's configured default, {@code ranking} in
 * {@code org.iommulab.iommu.dma} (100). The platform binds a device to the highest-ranked
 * backend that accepts it. Built-in rankings: {@code smmu-v3} 200 (its configuration's
 * {@code service.ranking}), {@code smmu-v2} 150, {@code generic} 100 (it sets none, so it gets
 * the default), {@code swiotlb} 10, {@code direct} 0. A driver registered without a ranking
 * therefore ties with {@code generic} at 100; ties go to the backend service with the lower
 * {@code service.id}, which depends on the order the services were registered in and is not
 * stable across starts: give a driver an explicit ranking (below 200 unless it should take every
 * device from {@code smmu-v3}). A change of the driver service's ranking (a modified service)
 * is passed on to the backend, and devices that are not pinned move to their new best backend.</li>
 * <li>The backend is registered once iommu-dma's component has all its references, and
 * unregistered when the driver service goes. The platform moves the backend's devices away
 * while the backend is being unregistered, that is from inside the driver service's
 * unregistration: a driver keeps serving every call below until its service is gone (DS calls a
 * component's deactivate only after that), and never waits there for its own bundle.</li>
 * </ul>
 *
 * <h3>Probe order: attaching a device</h3>
 * iommu-dma's {@code attach}, Linux's probe path ({@code iommu_probe_device},
 * {@code iommu_setup_default_domain}, {@code iommu_dma_init_domain}):
 * <ol>
 * <li>{@link #servesDevice} decides whether the backend accepts the device; the platform asks
 * it often (whenever a backend or a device comes, goes or changes), also before any probe and
 * for devices it then binds elsewhere, and the kit asks it for devices the platform does not
 * know. It must be cheap, must not throw and must change nothing.</li>
 * <li>{@link #probeDevice}. The driver meets the platform's memory and allocator here: every
 * {@link DmaDevice} carries them ({@link DmaDevice#memory()}, {@link DmaDevice#allocator()}),
 * they are the same objects for every device of a platform, and a driver that does not get them
 * otherwise (the SMMU components take them from the {@code PlatformAdmin} service) takes them
 * from the first device it probes and allocates its own structures (the generic IOMMU's device
 * table) then. Probing a device already probed changes nothing.</li>
 * <li>{@link #capable}({@link IommuCapability#DEFERRED_FLUSH}) when the backend is configured
 * lazy and the device is trusted: only then is a {@link DomainType#DMA_FQ} domain asked for.</li>
 * <li>{@link #allocDomain}: a {@code DMA_FQ} domain, or {@code DMA}. Null for {@code DMA_FQ}
 * makes iommu-dma fall back to {@code DMA}; null for {@code DMA} makes the backend refuse the
 * device (it is released again). Always called after at least one probe.</li>
 * <li>{@link IommuDomain#attachDevice}; a negative result makes iommu-dma free the domain,
 * release the device and refuse it.</li>
 * <li>The domain's {@link IommuDomain#pgsizeBitmap()} (its lowest bit is the IOVA granule),
 * {@link IommuDomain#apertureStart()} and {@link IommuDomain#apertureEnd()} set up the IOVA
 * allocator; a device whose DMA ranges miss the aperture is refused.</li>
 * <li>{@link #translationPort} for the device, which the platform then calls for every access
 * the device makes, from any thread, until the device is detached.</li>
 * </ol>
 * Every device gets a domain of its own. Leaving (a swap, the device removed, the backend
 * withdrawn) runs the other way: the driver's mappings are unmapped or reclaimed first, then
 * {@link IommuDomain#detachDevice}, {@link IommuDomain#free}, {@link #releaseDevice}. The same
 * stream may be probed again later with a new {@link DmaDevice} object.
 *
 * <h3>What a driver may assume</h3>
 * <ul>
 * <li>Probe, attach, detach, free and release of one device never overlap: the platform
 * serializes changes of bindings. Mapping, unmapping, {@code iova_to_phys} and device accesses
 * of a domain come from many threads at once and overlap each other and the changes of other
 * devices; they never overlap the domain's own attach, detach or free.</li>
 * <li>Every argument is well formed (see {@link IommuDomain}); a device's stream IDs are unique
 * in the platform.</li>
 * </ul>
 *
 * <h3>What a driver must guarantee</h3>
 * <ul>
 * <li>Everything a real IOMMU keeps in memory (tables, stream or context tables, queues) lives
 * in the platform's memory, allocated from its allocator, and is zeroed before the hardware may
 * read it: the allocator does not zero (Linux allocates page tables with {@code __GFP_ZERO}).</li>
 * <li>Each faulting access is reported once through {@link DmaDevice#reportFault} before
 * {@link TranslationPort#translate} throws, whether the IOTLB or a table walk answered.</li>
 * <li>No call waits for another party without a bound, calls back into the platform, or
 * allocates on the path of a device access that succeeds.</li>
 * <li>Thread safety as above: a driver and its domains are safe for the concurrency iommu-dma
 * brings.</li>
 * </ul>
 */
@ProviderType
public interface IommuDriver {
    /** Service property carrying the driver (and so the backend) name. */
    String NAME_PROPERTY = "iommulab.iommu.name";

    /** The driver's name, equal to its {@value #NAME_PROPERTY} service property. */
    String name();

    /**
     * Linux {@code probe_device}: takes on a device whose streams this IOMMU serves. The first
     * probe is where a driver meets the platform's memory and allocator (see the class comment);
     * probing a device already probed changes nothing.
     *
     * @throws BackendException when the IOMMU does not serve the device's streams or cannot take
     *         it on; nothing is left probed
     */
    void probeDevice(DmaDevice device) throws BackendException;

    /**
     * Linux {@code release_device}: forgets a device probed before, after its domain was
     * detached and freed. Releasing a device not probed changes nothing.
     */
    void releaseDevice(DmaDevice device);

    /**
     * True when {@code device}'s streams are behind this IOMMU. Asked often, also before any
     * probe and for devices the platform does not know: cheap, never throws, changes nothing.
     */
    boolean servesDevice(DmaDevice device);

    /**
     * A new domain of {@code type}, or null when the driver does not support that type (or has
     * no memory for its tables). iommu-dma asks for {@link DomainType#DMA} or
     * {@link DomainType#DMA_FQ}, always after a first probe.
     */
    IommuDomain allocDomain(DomainType type);

    /** Page sizes the hardware supports, one bit per size ({@code pgsize_bitmap}). */
    long pgsizeBitmap();

    /**
     * Linux {@code capable}. {@link IommuCapability#DEFERRED_FLUSH} lets iommu-dma give trusted
     * devices a lazy ({@code DMA_FQ}) domain when it is configured lazy.
     */
    boolean capable(IommuCapability capability);

    /**
     * Linux {@code get_resv_regions}: the reserved regions of {@code device}'s I/O address space
     * (an MSI window, firmware's direct-mapped or reserved ranges), which iommu-dma keeps out of
     * its IOVA allocator or maps as {@link IommuResvRegion} says. The default reports none.
     * Called at attach, after {@link #probeDevice}.
     */
    default List<IommuResvRegion> resvRegions(DmaDevice device) {
        return List.of();
    }

    /**
     * The hardware's port for {@code device}'s accesses: stream lookup, IOTLB, table walk and
     * faults. Valid between {@link #probeDevice} and {@link #releaseDevice}; called from any
     * thread, for every device access.
     */
    TranslationPort translationPort(DmaDevice device);
}
