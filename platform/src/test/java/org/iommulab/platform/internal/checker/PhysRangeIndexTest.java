package org.iommulab.platform.internal.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class PhysRangeIndexTest {
    private final PhysRangeIndex<String> idx = new PhysRangeIndex<>();

    private List<String> owners(long page) {
        List<String> out = new ArrayList<>();
        for (PhysRangeIndex.Node<String> n = idx.first(page); n != null; n = n.nextInPage()) {
            out.add(n.owner() + "@" + Long.toHexString(n.start()) + "-" + Long.toHexString(n.end()));
        }
        return out;
    }

    @Test
    void aRangeIsFoundFromEveryPageItCoversAndDroppedWhole() {
        PhysRangeIndex.Node<String> a = idx.add(0x1_0800, 0x1_2100, "a", null);
        PhysRangeIndex.Node<String> b = idx.add(0x1_1000, 0x1_1040, "b", null);
        b = idx.add(0x5_0000, 0x5_0010, "b", b);
        assertEquals(List.of("a@10800-12100"), owners(0x10));
        assertEquals(List.of("b@11000-11040", "a@10800-12100"), owners(0x11));
        assertEquals(List.of("a@10800-12100"), owners(0x12));
        assertEquals(List.of("b@50000-50010"), owners(0x50));
        assertEquals(5, idx.nodesInUse());
        idx.removeChain(a);
        assertEquals(List.of("b@11000-11040"), owners(0x11));
        assertNull(idx.first(0x10));
        idx.removeChain(b);
        assertEquals(0, idx.nodesInUse());
        assertNull(idx.first(0x11));
        // Nodes are reused.
        idx.add(0x1000, 0x2000, "c", null);
        assertEquals(1, idx.nodesInUse());
    }
}
