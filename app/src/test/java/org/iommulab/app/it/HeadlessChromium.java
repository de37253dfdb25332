package org.iommulab.app.it;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's Chromium, headless, for the page checks: the DOM a page has once the browser parsed
 * and laid it out, and a screenshot. Started with the flags it needs on a machine without a
 * network (no sandbox as root, no GPU, no background lookups) and a fresh profile each time.
 */
final class HeadlessChromium {
    static final Path BINARY = Path.of("/usr/bin/chromium");

    private HeadlessChromium() {
    }

    /** True when the browser is installed ({@code apt-get install -y chromium}). */
    static boolean present() {
        return Files.isExecutable(BINARY);
    }

    /** The DOM of {@code url} after the browser loaded it, as {@code --dump-dom} prints it. */
    static String dumpDom(String url, Path profile) throws IOException, InterruptedException {
        return run(profile, "--dump-dom", url);
    }

    /** Writes a PNG of {@code url} at {@code width} x {@code height} to {@code png}. */
    static void screenshot(String url, Path png, int width, int height, Path profile) throws IOException, InterruptedException {
        run(profile, "--hide-scrollbars", "--window-size=" + width + "," + height, "--screenshot=" + png.toAbsolutePath(), url);
        if (!Files.isRegularFile(png) || Files.size(png) == 0) {
            throw new AssertionError("chromium wrote no screenshot to " + png);
        }
    }

    private static String run(Path profile, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile.toAbsolutePath()));
        cmd.addAll(List.of(args));
        Path err = Files.createTempFile("chromium", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(2, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("chromium did not end: " + cmd);
            }
            if (p.exitValue() != 0) {
                throw new AssertionError("chromium exited " + p.exitValue() + ": " + Files.readString(err));
            }
            return new String(out, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(err);
        }
    }
}
