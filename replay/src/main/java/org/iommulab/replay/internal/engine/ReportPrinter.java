package org.iommulab.replay.internal.engine;

import java.io.PrintStream;
import java.util.Map;

import org.iommulab.api.checker.FindingKind;
import org.iommulab.api.dma.DmaMasks;
import org.iommulab.replay.internal.device.ReplayDevice;
import org.iommulab.replay.internal.parse.EventKind;
import org.iommulab.replay.internal.parse.ParseReport;
import org.iommulab.replay.internal.parse.Problem;
import org.iommulab.replay.internal.sg.SgCertainty;

/** Prints a {@link ReplaySummary} as plain text: the trace, the devices, one table per backend. */
public final class ReportPrinter {
    private ReportPrinter() {
    }

    public static void print(ReplaySummary s, PrintStream out) {
        out.print(render(s));
        out.flush();
    }

    public static String render(ReplaySummary s) {
        StringBuilder b = new StringBuilder();
        trace(s, b);
        devices(s, b);
        for (BackendResult r : s.backends()) {
            backend(r, b);
        }
        return b.toString();
    }

    private static void trace(ReplaySummary s, StringBuilder b) {
        ParseReport p = s.parse();
        long dma = 0;
        for (EventKind k : EventKind.values()) {
            if (k.isDma()) {
                dma += p.events(k);
            }
        }
        b.append(String.format("trace %s (%s): %d lines, %d events (%d DMA-API, %d iommu), %d malformed, %d unknown, %d lost%s%n",
                s.source(), p.compression().name().toLowerCase(), p.lines(), p.events(), dma, p.events() - dma,
                p.malformed(), p.unknownEvents(), p.lostEvents(), p.truncated() ? ", TRUNCATED" : ""));
        for (Problem pr : p.problems()) {
            b.append("  ").append(pr).append('\n');
        }
        if (p.problemsNotKept() > 0) {
            b.append("  ... and ").append(p.problemsNotKept()).append(" more problem line(s)\n");
        }
        if (!p.unknownNames().isEmpty()) {
            b.append("  unknown events:");
            for (Map.Entry<String, Long> e : p.unknownNames().entrySet()) {
                b.append(' ').append(e.getKey()).append(" x").append(e.getValue()).append(" (first at line ")
                        .append(p.unknownFirstLines().get(e.getKey())).append(')');
            }
            b.append('\n');
        }
        for (Map.Entry<String, Long> e : s.traceFaults().entrySet()) {
            b.append("  trace reports ").append(e.getValue()).append(" iommu:io_page_fault for ").append(e.getKey()).append('\n');
        }
        if (!s.checkerEnabled()) {
            b.append("  the platform's DMA-API checker is off: misuse is not detected\n");
        }
        b.append(String.format("  trace memory: %d page(s) placed in simulated RAM, %d range(s) needed their own run, %d without room%n",
                s.physPages(), s.physAliases(), s.physFailures()));
    }

    private static void devices(ReplaySummary s, StringBuilder b) {
        if (s.devices().isEmpty()) {
            b.append("no DMA-API calls in the trace\n");
            return;
        }
        TextTable t = new TextTable("TRACE DEVICE", "DEVICE", "SID", "MASK", "PCI", "COHERENT", "TRUSTED", "#MAXSEG", "NOTE");
        for (ReplayDevice d : s.devices()) {
            if (d.descriptor() == null) {
                t.row(d.traceName(), d.simName(), "", "", "", "", "", "", d.error());
                continue;
            }
            t.row(d.traceName(), d.simName(), "0x" + Integer.toHexString(d.descriptor().primaryStreamId()),
                    DmaMasks.width(d.descriptor().dmaMask()) + "-bit", yes(d.descriptor().pci()),
                    yes(d.descriptor().coherent()), yes(d.descriptor().trusted()), d.descriptor().maxSegmentSize(),
                    d.error() != null ? d.error() : d.added() ? "" : "existing device");
        }
        b.append("devices:\n").append(t.render("  "));
    }

    private static void backend(BackendResult r, StringBuilder b) {
        b.append('\n').append("backend ").append(r.backend()).append(":\n");
        // Every call of the trace counts in the denominators: #SG-LAYOUT= over every dma_map_sg the
        // trace shows succeeding, #ADDR= over every call that returned an address; #NOT-COMPARED
        // says how many of the latter the replay could not compare (skipped, failed, unavailable).
        TextTable t = new TextTable("DEVICE", "#CALLS", "#REPLAYED", "#SKIPPED", "#SG-LAYOUT=", "#ADDR=", "#NOT-COMPARED",
                "#MISUSE", "#LEAKS", "#PEAK-KIB", "#BOUNCED", "#IOTLB-HIT", "#IOTLB-MISS", "#FAILED");
        for (DeviceReport d : r.devices()) {
            row(t, d.traceDevice(), d);
        }
        if (r.devices().size() > 1) {
            row(t, "(all)", r.total());
        }
        b.append(t.render("  "));
        DeviceReport total = r.total();
        for (DeviceReport d : r.devices()) {
            if (d.unavailableReason() != null) {
                b.append("  ").append(d.traceDevice()).append(" unavailable: ").append(d.unavailableReason()).append('\n');
            }
        }
        for (DeviceReport d : r.devices()) {
            if (d.isKeptOffIommu()) {
                b.append("  ").append(d.traceDevice()).append(" kept off the IOMMU: replayed through dma-direct\n");
            }
            if (d.msiTrace() > 0 || d.msiExtra() > 0) {
                b.append(String.format("  %s MSI doorbell: mapped as the trace shows (%d/%d at the trace's IOVA)%s%n",
                        d.traceDevice(), d.msiEqual(), d.msiTrace(),
                        d.msiExtra() > 0 ? ", " + d.msiExtra() + " further doorbell map(s) not replayed" : ""));
            }
        }
        if (r.foldedCalls() > 0) {
            b.append(String.format("  %d call(s) on trace CPUs up to %d ran on the platform's %d CPUs (CPU modulo %d)%n",
                    r.foldedCalls(), r.highestCpu(), r.cpus(), r.cpus()));
        }
        if (r.unclaimedMaps() > 0) {
            b.append("  iommu:map events no traced call produced: ").append(r.unclaimedMaps()).append('\n');
        }
        StringBuilder detail = new StringBuilder();
        for (SkipReason why : SkipReason.values()) {
            if (total.skipped(why) > 0) {
                detail.append(' ').append(words(why.name())).append(' ').append(total.skipped(why)).append(',');
            }
        }
        line(b, "skipped:", detail);
        for (MisuseKind k : MisuseKind.values()) {
            if (total.misuse(k) > 0) {
                detail.append(' ').append(words(k.name())).append(' ').append(total.misuse(k)).append(',');
            }
        }
        line(b, "misuse:", detail);
        for (FindingKind k : FindingKind.values()) {
            if (total.findings(k) > 0) {
                detail.append(' ').append(k.message()).append(" x").append(total.findings(k)).append(',');
            }
        }
        line(b, "checker findings:", detail);
        long sg = 0;
        for (SgCertainty c : SgCertainty.values()) {
            sg += total.sgRebuilds(c);
        }
        if (sg > 0) {
            b.append(String.format("  sg rebuild: %d certain (%d of them [TRUNCATED]), %d uncertain (%d replayed as guessed),"
                    + " %d impossible%n", total.sgRebuilds(SgCertainty.CERTAIN), total.sgTruncatedRebuilt(),
                    total.sgRebuilds(SgCertainty.UNCERTAIN), total.sgGuessed(), total.sgRebuilds(SgCertainty.IMPOSSIBLE)));
        }
        if (total.traceFailures() > 0) {
            b.append(String.format("  trace failures: %d (%d of them succeeded in the replay)%n", total.traceFailures(),
                    total.traceFailedReplaySucceeded()));
        }
        if (total.badInput() > 0 || total.droppedAttrs() > 0 || total.maskRefused() > 0) {
            b.append(String.format("  bad input refused: %d, calls with attributes the model lacks (dropped): %d, masks refused: %d%n",
                    total.badInput(), total.droppedAttrs(), total.maskRefused()));
        }
        if (total.errors() > 0) {
            b.append("  errors: ").append(total.errors()).append(", first: ").append(total.firstError()).append('\n');
        }
    }

    private static void row(TextTable t, String name, DeviceReport d) {
        t.row(name, d.calls(), d.replayed(), d.skipped(), d.sgLayoutEqual() + "/" + d.sgCalls(),
                rate(d.addressesEqual(), d.addressCalls()), d.addressesNotCompared(), d.misuse(), d.leaks(),
                (d.peakMappedBytes() + 1023) / 1024, d.bouncedBytes(), d.iotlbHits(), d.iotlbMisses(), d.replayFailures());
    }

    private static String rate(long equal, long compared) {
        if (compared == 0) {
            return "-";
        }
        return String.format("%d/%d (%.0f%%)", equal, compared, 100.0 * equal / compared);
    }

    private static void line(StringBuilder b, String title, StringBuilder detail) {
        if (detail.length() > 0) {
            detail.setLength(detail.length() - 1);
            b.append("  ").append(title).append(detail).append('\n');
            detail.setLength(0);
        }
    }

    private static String words(String constant) {
        return constant.toLowerCase().replace('_', ' ');
    }

    private static String yes(boolean v) {
        return v ? "yes" : "no";
    }
}
