package org.iommulab.app.internal.properties;

import java.util.List;

import org.iommulab.api.dma.DmaDirection;
import org.iommulab.api.platform.Zone;
import org.iommulab.app.internal.properties.SequenceRun.Flavor;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random DMA-API sequences against the real backends, with shrinking: a driver maps (single,
 * {@code dma_map_page}, sg list, {@code dma_map_sgtable}), syncs, unmaps, allocates and frees
 * coherent buffers, lets its device read and write through its bus master, and is swapped to
 * another backend, in any order jqwik picks, on a device that is 32- or 64-bit, coherent or not,
 * trusted or not (untrusted devices' unaligned buffers bounce behind an IOMMU). A failing
 * sequence shrinks to a minimal one, printed with the seed that found it. The invariants,
 * checked after every step ({@link SequenceRun}):
 * <ol>
 * <li><b>No overlapping live DMA addresses</b> in the device's domain: the DMA ranges of its
 * live mappings (every sg segment, every coherent buffer) are pairwise disjoint; behind an IOMMU
 * not even an IOVA granule is shared.</li>
 * <li><b>Every live mapping reads back its buffer</b> through the driver's bus master: what the
 * CPU put there before mapping it (or into a coherent buffer at any time), with what the device
 * itself wrote since.</li>
 * <li><b>The CPU gets the device's bytes</b>: after a sync for the CPU and after the unmap of a
 * FROM_DEVICE or BIDIRECTIONAL mapping its buffer holds what the device wrote; a TO_DEVICE
 * buffer is unchanged; the CPU sees a device write to coherent memory at once.</li>
 * <li><b>Unmapped IOVAs fault under strict invalidation</b>: right after an unmap behind an
 * IOMMU, a device read of the old IOVA faults (unless a live mapping took that granule).</li>
 * <li><b>Counters balance</b>: MAPS - UNMAPS, SG_MAPS - SG_UNMAPS and COHERENT_ALLOCS -
 * COHERENT_FREES, summed over every backend the device was on, equal the single, sg and coherent
 * mappings the driver holds; the platform's live entries equal the driver's; no leak is
 * reclaimed (the driver releases everything when swapped); a correct driver raises no checker
 * finding.</li>
 * <li><b>Nothing leaks at the end</b>: once the driver released everything and the device was
 * removed, no mapping is live, no swiotlb slot is in use, and every page the device's bindings
 * took (page tables, context descriptors, bounce pool use) is back with the allocator.</li>
 * </ol>
 * Each try builds a fresh platform with every backend (direct, swiotlb, generic, SMMUv2, SMMUv3),
 * so a try depends on its sequence alone. One property per starting backend keeps each covered.
 */
class DmaApiPropertiesTest {
    /** Kept modest: the unit-test phase stays fast (each try builds a platform with five backends). */
    private static final int TRIES = 40;

    @Property(tries = TRIES)
    void onDirect(@ForAll("flavors") Flavor flavor, @ForAll("sequences") List<Op> ops) {
        new SequenceRun(flavor, "direct").run(ops);
    }

    @Property(tries = TRIES)
    void onSwiotlb(@ForAll("flavors") Flavor flavor, @ForAll("sequences") List<Op> ops) {
        new SequenceRun(flavor, "swiotlb").run(ops);
    }

    @Property(tries = TRIES)
    void onGeneric(@ForAll("flavors") Flavor flavor, @ForAll("sequences") List<Op> ops) {
        new SequenceRun(flavor, "generic").run(ops);
    }

    @Property(tries = TRIES)
    void onSmmuV2(@ForAll("flavors") Flavor flavor, @ForAll("sequences") List<Op> ops) {
        new SequenceRun(flavor, "smmu-v2").run(ops);
    }

    @Property(tries = TRIES)
    void onSmmuV3(@ForAll("flavors") Flavor flavor, @ForAll("sequences") List<Op> ops) {
        new SequenceRun(flavor, "smmu-v3").run(ops);
    }

    @Provide
    Arbitrary<Flavor> flavors() {
        return Combinators.combine(Arbitraries.of(false, true), Arbitraries.of(true, false), Arbitraries.of(true, false))
                .as(Flavor::new);
    }

    @Provide
    Arbitrary<List<Op>> sequences() {
        Arbitrary<DmaDirection> dir = Arbitraries.of(DmaDirection.TO_DEVICE, DmaDirection.FROM_DEVICE, DmaDirection.BIDIRECTIONAL);
        Arbitrary<Zone> zone = Arbitraries.of(Zone.NORMAL, Zone.DMA32, Zone.HIGH);
        Arbitrary<Long> seed = Arbitraries.longs();
        Arbitrary<Integer> index = Arbitraries.integers().between(0, 15);
        Arbitrary<Integer> size = Arbitraries.integers().between(1, 3 * 4096);
        Arbitrary<Integer> offset = Arbitraries.integers().between(0, 4095);
        Arbitrary<Op.Entry> entry = Combinators.combine(offset, Arbitraries.integers().between(1, 2 * 4096)).as(Op.Entry::new);

        Arbitrary<Op> mapSingle = Combinators.combine(size, offset, dir, zone, Arbitraries.of(false, true), seed).as(Op.MapSingle::new);
        Arbitrary<Op> mapSg = Combinators.combine(entry.list().ofMinSize(1).ofMaxSize(5), dir, zone, Arbitraries.of(true, false), seed)
                .as(Op.MapSg::new);
        Arbitrary<Op> alloc = Combinators.combine(Arbitraries.integers().between(1, 4 * 4096), seed).as(Op.Alloc::new);
        Arbitrary<Op> unmap = index.map(Op.Unmap::new);
        Arbitrary<Op> sync = index.map(Op.Sync::new);
        Arbitrary<Op> write = Combinators.combine(index, Arbitraries.integers().between(0, 16383), Arbitraries.integers().between(1, 4096),
                seed).as(Op.DeviceWrite::new);
        Arbitrary<Op> read = index.map(Op.DeviceRead::new);
        Arbitrary<Op> cpuWrite = Combinators.combine(index, Arbitraries.integers().between(0, 16383),
                Arbitraries.integers().between(1, 4096), seed).as(Op.CpuWrite::new);
        Arbitrary<Op> swap = Arbitraries.integers().between(0, PropertyRig.BACKENDS.size() - 1).map(Op.Swap::new);

        Arbitrary<Op> op = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, mapSingle),
                net.jqwik.api.Tuple.of(3, mapSg),
                net.jqwik.api.Tuple.of(2, alloc),
                net.jqwik.api.Tuple.of(4, unmap),
                net.jqwik.api.Tuple.of(2, sync),
                net.jqwik.api.Tuple.of(3, write),
                net.jqwik.api.Tuple.of(2, read),
                net.jqwik.api.Tuple.of(1, cpuWrite),
                net.jqwik.api.Tuple.of(1, swap));
        return op.list().ofMinSize(1).ofMaxSize(30);
    }
}
