package org.iommulab.app.internal.html;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.iommulab.api.iommu.PageTableCensus;
import org.iommulab.app.internal.collect.IovaDomain;
import org.junit.jupiter.api.Test;

/** One domain's census picture: a bar per level, blocks, pages and table pages, peak and end. */
class CensusPictureTest {
    @Test
    void theBarsCarryTheCensusFigures() {
        IovaDomain d = new IovaDomain("dev", "smmu-v3");
        assertNull(CensusPicture.draw(d), "no census, no picture");
        d.mapped(0x1000, 0x1000, 1);
        // The tree of a 4 KiB page and three blocks (see LpaeCensusTest): tables 1, 1, 2, 1 in
        // 5 pages (20480 bytes).
        d.peakCensus(new PageTableCensus(0, List.of(1L, 1L, 2L, 1L), 3, 1, 20480), 0x1000);
        String svg = CensusPicture.draw(d);
        assertTrue(svg.contains("<g class=\"census-tree\" data-when=\"peak\">"), svg);
        assertTrue(svg.contains("at the end of the group: not taken"), "no end census yet");
        List<String> counts = new ArrayList<>();
        Matcher m = Pattern.compile("class=\"census-bar census-([a-z-]+)\"[^>]*data-count=\"(\\d+)\"").matcher(svg);
        while (m.find()) {
            counts.add(m.group(1) + "=" + m.group(2));
        }
        assertEquals(List.of("tables=1", "tables=1", "tables=2", "tables=1", "blocks=3", "pages=1", "table-pages=5"), counts);
        assertTrue(svg.contains(">L2 tables</text>") && svg.contains(">table pages</text>"), "labelled");
    }
}
