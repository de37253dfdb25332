package org.iommulab.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

/** The command line's picocli model, and what the jar's Main answers without the container. */
class CliTest {
    @Test
    void noArgumentsIsTheMainJob() {
        Cli.Parsed p = Cli.parse();
        assertNull(p.mode());
        assertNull(p.error());
        assertNull(p.help());
        assertFalse(p.shell());
        assertNull(p.scenario());
    }

    /**
     * No words skip picocli (Cli.parse's fast path): the options must then be what picocli itself
     * makes of no words, field by field, defaults and all.
     */
    @Test
    void noArgumentsMatchesPicocli() throws Exception {
        Cli.Root byPicocli = new Cli.Root();
        CommandLine.ParseResult pr = new CommandLine(byPicocli).parseArgs();
        assertNull(pr.subcommand());
        Cli.Root fast = Cli.parse().root();
        for (java.lang.reflect.Field f : Cli.Root.class.getDeclaredFields()) {
            f.setAccessible(true);
            assertEquals(f.get(byPicocli), f.get(fast), f.getName());
        }
        assertNull(Main.before(new String[0], System.out, System.err), "no words start the container");
    }

    @Test
    void mainJobOptions() {
        Cli.Parsed p = Cli.parse("--scenario", "a.scenario", "--json", "r.json", "--csv=r.csv", "--shard", "2/3", "--cold",
                "--verbose");
        assertNull(p.error());
        assertEquals(Path.of("a.scenario"), p.scenario());
        assertEquals(Path.of("r.json"), p.json());
        assertEquals(Path.of("r.csv"), p.csv());
        assertEquals("2/3", p.shard());
        assertTrue(p.cold() && p.verbose());
        assertEquals(Path.of("b.scenario"), Cli.parse("--scenario=b.scenario").scenario());
        assertTrue(Cli.parse("--shell").shell());
        assertEquals(4, Cli.parse("--jobs", "4").jobs());
    }

    @Test
    void modesAndTheirOptions() {
        Cli.Parsed p = Cli.parse("replay", "a.trace", "b.trace.xz", "--backend", "direct", "--json", "r.json", "--quiet");
        assertEquals("replay", p.mode());
        assertNull(p.error());
        assertEquals(List.of("a.trace", "b.trace.xz", "--backend", "direct", "--json", "r.json", "--quiet"),
                ((Cli.Replay) p.command()).serviceArguments());
        Cli.Tck t = (Cli.Tck) Cli.parse("tck", "--bundle", "x.jar", "--backend=vtd", "--junit", "out").command();
        assertEquals(List.of(Path.of("x.jar")), t.bundles);
        assertEquals(List.of("vtd"), t.backends);
        Cli.Merge m = (Cli.Merge) Cli.parse("merge", "a.json", "b.json", "--json", "all.json").command();
        assertEquals(List.of(Path.of("a.json"), Path.of("b.json")), m.files);
        assertEquals(Path.of("all.json"), m.json);
    }

    @Test
    void badCommandLinesSayWhy() {
        assertEquals("Missing required parameter for option '--scenario' (FILE)", Cli.parse("--scenario").error());
        assertEquals("Unknown option: '--frobnicate'", Cli.parse("--frobnicate").error());
        assertEquals("--shell takes no --scenario, --json, --csv, --shard or --jobs: it runs no job",
                Cli.parse("--shell", "--scenario", "x").error());
        assertTrue(Cli.parse("--scenario=a", "--scenario=b").error().contains("should be specified only once"),
                Cli.parse("--scenario=a", "--scenario=b").error());
        assertEquals("--shard takes I/N with 1 <= I <= N (e.g. 1/4), got '3/2'", Cli.parse("--shard", "3/2").error());
        assertEquals("--jobs and --shard exclude each other: --jobs N runs the N shards itself",
                Cli.parse("--jobs", "2", "--shard", "1/2").error());
        assertEquals("'replay' takes no main-job options before it; put its own options after it",
                Cli.parse("--cold", "replay", "t").error());
        assertEquals("Missing required parameter: 'TRACE'", Cli.parse("replay").error());
        assertEquals("Unmatched argument at index 0: 'frobnicate'", Cli.parse("frobnicate").error());
        assertEquals("replay: --calls takes one trace; got 2", Cli.parse("replay", "a", "b", "--calls", "c").error());
    }

    @Test
    void theHelpListsEveryModeAndOption() {
        String help = Cli.parse("--help").help();
        for (String s : List.of("--scenario=FILE", "--shell", "--json=FILE", "--csv=FILE", "--shard=I/N", "--jobs=N",
                "--cold", "--verbose", "Usage: java -jar iommulab.jar replay", "--sg-guess", "--granule=BYTES", "--keep-devices", "--calls=FILE",
                "Usage: java -jar iommulab.jar tck", "--junit=DIR", "Usage: java -jar iommulab.jar soak", "--swaps=N", "--without=BACKEND", "Usage: java -jar iommulab.jar merge",
                "config PID KEY=VALUE", "Exit status: 0")) {
            assertTrue(help.contains(s), s + " in\n" + help);
        }
        String tck = Cli.parse("tck", "--help").help();
        assertTrue(tck.contains("Usage: java -jar iommulab.jar tck") && !tck.contains("Usage: java -jar iommulab.jar soak"), tck);
    }

    /**
     * The app's {@code replay} model re-declares the replay's options (so that {@code replay --help}
     * and a bad replay command line are answered without the container); the replay bundle reads
     * them again with its own picocli model. The two must declare the same options: the app's are
     * the replay's plus its own --report and --verbose (which it keeps out of serviceArguments).
     * The replay's model is internal to its bundle, hence the reflection.
     */
    @Test
    void theReplayModelsDeclareTheSameOptions() throws ReflectiveOperationException {
        Method names = Class.forName("org.iommulab.replay.internal.command.ReplayArgs").getDeclaredMethod("optionNames");
        names.setAccessible(true);
        @SuppressWarnings("unchecked")
        List<String> replay = (List<String>) names.invoke(null);
        List<String> app = new ArrayList<>();
        for (CommandLine.Model.OptionSpec o : new CommandLine(new Cli.Replay()).getCommandSpec().options()) {
            if (!o.usageHelp()) {
                app.add(o.longestName());
            }
        }
        List<String> expected = new ArrayList<>(replay);
        expected.addAll(List.of("--report", "--verbose"));
        assertEquals(expected, app);
    }

    /** The help the build rendered (what a bare --help prints) is the model's help, not a stale copy. */
    @Test
    void theHelpRenderedAtBuildTimeIsTheModelsHelp() {
        assertEquals(Cli.usage(), HelpText.cached());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        assertEquals(0, Main.before(new String[] {"-h"}, o, o));
        assertEquals(Cli.usage(), out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void mainAnswersHelpAndErrorsItselfAndLeavesRunsToTheContainer() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertEquals(0, Main.before(new String[] {"--help"}, o, e));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("Usage: java -jar iommulab.jar"), out.toString());
        assertEquals(2, Main.before(new String[] {"--frobnicate"}, o, e));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("iommulab: Unknown option: '--frobnicate'"),
                err.toString(StandardCharsets.UTF_8));
        assertNull(Main.before(new String[] {"--scenario", "x"}, o, e));
        assertNull(Main.before(new String[] {"replay", "t.trace"}, o, e));
        assertEquals(2, Main.before(new String[] {"merge", "no-such-file.json"}, o, e));
    }
}
