package org.iommulab.app.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code java -jar iommulab.jar --console PORT} as a user starts it: refused without a password;
 * with one, the IOMMU page of the Web Console in a real browser (Chromium through chromedriver):
 * logged in, the backends and devices listed, a device swapped with its button, every workload
 * run with the other button and the seed picture drawn with its red pair on every merging
 * backend. Screenshots go to target/it/console/. The browser part is skipped, saying so, only
 * where Chromium or chromedriver is not installed (.ci/run installs both).
 */
class ConsoleBrowserIT {
    private static final Path JAR = Path.of(System.getProperty("iommulab.jar", "target/iommulab.jar"));
    private static final Path WORK = Path.of(System.getProperty("it.workdir", "target/it"));
    private static final String PASSWORD = "it-console-" + Long.toHexString(Double.doubleToLongBits(Math.random()));

    @Test
    void withoutAPasswordTheConsoleDoesNotStart() throws Exception {
        Path dir = fresh("console-nopass");
        ProcessBuilder pb = command(dir, freePort());
        pb.environment().remove("IOMMULAB_CONSOLE_PASSWORD");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "did not end");
        assertEquals(2, p.exitValue(), out);
        assertTrue(out.contains("the console does not start: the console needs a password and has none"), out);
    }

    @Test
    void theConsoleSwapsADeviceFromTheBrowser() throws Exception {
        Assumptions.assumeTrue(WebDriver.present(), "SKIPPED: no /usr/bin/chromium or /usr/bin/chromedriver: the browser "
                + "check of the console needs Debian's chromium and chromium-driver");
        Path dir = fresh("console");
        int port = freePort();
        ProcessBuilder pb = command(dir, port);
        pb.environment().put("IOMMULAB_CONSOLE_PASSWORD", PASSWORD);
        Process console = pb.start();
        List<String> lines = new ArrayList<>();
        CompletableFuture<Boolean> up = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(console.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null;) {
                    synchronized (lines) {
                        lines.add(l);
                    }
                    if (l.startsWith("iommulab: console at http://127.0.0.1:" + port + "/system/console/iommu")) {
                        up.complete(true);
                    }
                }
            } catch (java.io.IOException e) {
                up.completeExceptionally(e);
            }
            up.complete(false);
        });
        reader.start();
        try {
            assertTrue(up.get(3, TimeUnit.MINUTES), "the console did not come up: " + lines);
            String page = "http://127.0.0.1:" + port + "/system/console/iommu";

            // Without credentials, or with the Web Console's old default, nothing is served.
            HttpClient http = HttpClient.newHttpClient();
            assertEquals(401, http.send(HttpRequest.newBuilder(URI.create(page)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode());
            assertEquals(401, http.send(HttpRequest.newBuilder(URI.create(page)).header("Authorization", "Basic "
                    + java.util.Base64.getEncoder().encodeToString("admin:admin".getBytes(StandardCharsets.UTF_8))).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode());

            try (WebDriver browser = new WebDriver(dir.resolve("profile"))) {
                browser.open("http://iommulab:" + PASSWORD + "@127.0.0.1:" + port + "/system/console/iommu");
                assertTrue(browser.title().contains("IOMMU"), browser.title());
                assertTrue(browser.count("#backends tr[data-backend]") >= 5, "the five built-in backends listed");
                String before = browser.text(browser.element("tr[data-device='mmc0'] td.bound"));
                String target = before.equals("direct") ? "swiotlb" : "direct";
                browser.click(browser.element("tr[data-device='mmc0'] option[value='" + target + "']"));
                browser.submit(browser.element("tr[data-device='mmc0'] button.swap"));
                assertEquals(target, browser.text(browser.element("tr[data-device='mmc0'] td.bound")));
                assertEquals("swapped mmc0 to " + target, browser.text(browser.element("#message")));
                assertEquals(1, browser.count("svg.pool"), "the swiotlb pool drawn live");
                browser.screenshot(dir.resolve("console-swapped.png"));

                browser.submit(browser.element("#run"));
                String ran = browser.text(browser.element("#message"));
                assertTrue(ran.startsWith("run finished (exit status 0)"), ran);
                int merged = browser.count("svg.seed[aria-label*='(merged)']");
                assertTrue(merged >= 3, "smmu-v3, smmu-v2 and generic merge the seed case's list: " + merged);
                assertEquals(merged, browser.count("svg.seed[aria-label*='(merged)'] line.pair.wrong"),
                        "one red pair in each merged seed picture");
                int backends = browser.count("#backends tr[data-backend]");
                assertEquals(backends * browser.count("svg.bars"), browser.count("svg.bars g.backend-group"),
                        "one bar group per backend in every workload's picture");
                browser.screenshot(dir.resolve("console-pictures.png"));
            }
        } finally {
            console.descendants().forEach(ProcessHandle::destroy);
            console.destroy();
            console.waitFor(1, TimeUnit.MINUTES);
        }
    }

    private static ProcessBuilder command(Path dir, int port) {
        assertTrue(Files.isRegularFile(JAR), "no " + JAR.toAbsolutePath() + ": run mvn verify");
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                JAR.toAbsolutePath().toString(), "--console", Integer.toString(port)).directory(dir.toFile())
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    }

    private static int freePort() throws java.io.IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static Path fresh(String name) throws Exception {
        Path dir = WORK.resolve(name).toAbsolutePath();
        if (Files.exists(dir)) {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted((x, y) -> y.getNameCount() - x.getNameCount()).map(Path::toFile).forEach(File::delete);
            }
        }
        Files.createDirectories(dir);
        return dir;
    }
}
