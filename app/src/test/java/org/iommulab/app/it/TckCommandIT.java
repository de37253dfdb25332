package org.iommulab.app.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;

import org.iommulab.app.it.extra.ExtraDriverActivator;
import org.junit.jupiter.api.Test;

/**
 * {@code java -jar iommulab.jar tck} as a user runs it, in a process of its own in a fresh
 * folder: with a bundle that does not resolve, with a third-party bundle that registers an
 * IOMMU driver under a new name, and with a backend that is not there.
 */
class TckCommandIT {
    private static final Path JAR = Path.of(System.getProperty("iommulab.jar", "target/iommulab.jar"));
    private static final Path WORK = Path.of(System.getProperty("it.workdir", "target/it"));

    @Test
    void aBundleThatDoesNotResolveExitsWith2WithTheResolversMessage() throws Exception {
        Path dir = fresh("unresolvable");
        Path bundle = dir.resolve("unresolvable.jar");
        Manifest mf = manifest("tck.it.unresolvable");
        mf.getMainAttributes().putValue("Import-Package", "org.nowhere.missing;version=\"[1.0,2)\"");
        jar(bundle, mf, null);
        Run r = run(dir, "tck", "--bundle", bundle.toString());
        assertEquals(2, r.exit, r.output);
        assertTrue(r.output.contains("does not resolve"), r.output);
        assertTrue(r.output.contains("missing requirement") && r.output.contains("org.nowhere.missing"), r.output);
    }

    @Test
    void aThirdPartyBundleWithAnIommuDriverUnderANewNameIsPutUnderTheChecks() throws Exception {
        Path dir = fresh("extra");
        Path bundle = dir.resolve("extra.jar");
        Manifest mf = manifest("tck.it.extra");
        Attributes a = mf.getMainAttributes();
        a.putValue("Bundle-Activator", ExtraDriverActivator.class.getName());
        a.putValue("Import-Package", "org.iommulab.api.backend;version=\"[1.0,2)\",org.iommulab.api.iommu;version=\"[1.0,2)\","
                + "org.osgi.framework;version=\"[1.8,2)\",org.osgi.util.tracker;version=\"[1.5,2)\"");
        jar(bundle, mf, ExtraDriverActivator.class.getPackageName());
        Path reports = dir.resolve("reports");
        Run r = run(dir, "tck", "--bundle", bundle.toString(), "--backend", ExtraDriverActivator.NAME, "--junit",
                reports.toString(), "--check", "map-read-write-unmap", "--check", "partial-invalidation", "--check",
                "table-pages-returned", "--check", "bundle-lifecycle");
        assertEquals(0, r.exit, r.output);
        assertTrue(r.output.contains("providing [" + ExtraDriverActivator.NAME + "]"), r.output);
        // No service.ranking: iommu-dma's default, the same as the generic IOMMU's.
        assertTrue(r.output.contains(ExtraDriverActivator.NAME + " (ranking 100, isolating, IOMMU driver)"), r.output);
        for (String check : List.of("map-read-write-unmap", "partial-invalidation", "table-pages-returned",
                "bundle-lifecycle")) {
            assertTrue(r.output.matches("(?s).*PASS +" + ExtraDriverActivator.NAME + " +" + check + " .*"), check + "\n"
                    + r.output);
        }
        assertTrue(r.output.contains("4 passed, 0 failed, 0 skipped"), r.output);
        String xml = Files.readString(reports.resolve("TEST-tck." + ExtraDriverActivator.NAME + ".xml"));
        assertTrue(xml.contains("tests=\"4\" failures=\"0\" errors=\"0\" skipped=\"0\""), xml);
    }

    @Test
    void aBackendThatIsNotThereExitsWith2() throws Exception {
        Path dir = fresh("nope");
        Run r = run(dir, "tck", "--backend", "nope", "--check", "impossible-mask");
        assertEquals(2, r.exit, r.output);
        assertTrue(r.output.contains("no backend [nope] is registered"), r.output);
    }

    private static Manifest manifest(String bsn) {
        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", bsn);
        a.putValue("Bundle-Version", "1.0.0");
        return mf;
    }

    /** A jar of {@code mf} and every class file of package {@code pkg} (from the test classes), if any. */
    private static void jar(Path file, Manifest mf, String pkg) throws Exception {
        try (OutputStream os = Files.newOutputStream(file); JarOutputStream jar = new JarOutputStream(os, mf)) {
            if (pkg == null) {
                return;
            }
            Path classes = Path.of(TckCommandIT.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            String dir = pkg.replace('.', '/');
            try (Stream<Path> s = Files.list(classes.resolve(dir))) {
                for (Path c : (Iterable<Path>) s.filter(p -> p.toString().endsWith(".class"))::iterator) {
                    jar.putNextEntry(new ZipEntry(dir + "/" + c.getFileName()));
                    Files.copy(c, jar);
                    jar.closeEntry();
                }
            }
        }
    }

    private static Path fresh(String name) throws IOException {
        Path dir = WORK.resolve(name).toAbsolutePath();
        if (Files.exists(dir)) {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted((x, y) -> y.getNameCount() - x.getNameCount()).map(Path::toFile).forEach(File::delete);
            }
        }
        Files.createDirectories(dir);
        return dir;
    }

    private record Run(int exit, String output) {
    }

    private static Run run(Path dir, String... args) throws Exception {
        assertTrue(Files.isRegularFile(JAR), "no " + JAR.toAbsolutePath() + ": run mvn verify");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-jar");
        cmd.add(JAR.toAbsolutePath().toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("java -jar iommulab.jar " + String.join(" ", args) + " did not end");
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
