package org.iommulab.app.internal.html;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.iommulab.api.backend.ReservedRegion;
import org.iommulab.app.internal.collect.IovaDomain;
import org.junit.jupiter.api.Test;

/** The reserved regions on one address-space picture: banded where inside the span, all in the legend. */
class IovaPictureTest {
    @Test
    void aRegionCrossingTheSpanIsBandedToScaleAndOneOutsideIsOnlyListed() {
        IovaDomain d = new IovaDomain("dev", "generic");
        // Two pages either side of arm-smmu's SW_MSI window 0x8000000+0x100000: the span is
        // [0x7f00000, 0x8201000), 0x301000 bytes over the plot's 150 px, top at y 24.
        d.mapped(0x7f00000L, 0x1000, 10);
        d.mapped(0x8200000L, 0x1000, 20);
        d.reserved(List.of(new ReservedRegion(0x8000000L, 0x100000L, ReservedRegion.Kind.SW_MSI),
                new ReservedRegion(0x10000000L, 0x2eff0000L, ReservedRegion.Kind.PCI_WINDOW)));
        String svg = IovaPicture.draw(d, 30, List.of());
        // The window's top 0x8100000 is 0x200000 above the span's bottom: y = 24 + 150 - 150 *
        // 0x200000 / 0x301000 = 174 - 99.87 = 74.1; its height 150 * 0x100000 / 0x301000 = 49.9.
        Matcher band = Pattern.compile("<rect class=\"resv resv-([a-z-]+)\" x=\"110\" y=\"([0-9.]+)\" width=\"[0-9.]+\" "
                + "height=\"([0-9.]+)\" data-kind=\"([a-z-]+)\"").matcher(svg);
        assertTrue(band.find(), svg);
        assertEquals("sw-msi", band.group(1));
        assertEquals("74.1", band.group(2));
        assertEquals("49.9", band.group(3));
        assertEquals("sw-msi", band.group(4));
        assertTrue(!band.find(), "the PCI window 0x10000000.. is above the span: no band");
        assertTrue(svg.contains(">sw-msi 0x8000000 + 0x100000</text>"), "listed, inside");
        assertTrue(svg.contains(">pci-window 0x10000000 + 0x2eff0000 (outside the span)</text>"), "listed, outside");
        assertTrue(svg.contains("class=\"resv-key resv-pci-window\""), "its key in the legend");
    }

    @Test
    void noRegionsReportedDrawsNoLegend() {
        IovaDomain d = new IovaDomain("dev", "direct");
        d.mapped(0x1000L, 0x1000, 1);
        String svg = IovaPicture.draw(d, 2, List.of());
        assertTrue(!svg.contains("resv"), svg);
        assertTrue(svg.contains("height=\"204\""), "the picture's usual height, 24 + 150 + 30");
    }
}
