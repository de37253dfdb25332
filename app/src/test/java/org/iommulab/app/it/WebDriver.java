package org.iommulab.app.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Headless Chromium driven by chromedriver through plain W3C WebDriver JSON over HTTP
 * (java.net.http, on 127.0.0.1): the few commands a page check needs. The answers are read with
 * patterns, enough for the values these commands return (ids, text, base64).
 */
final class WebDriver implements AutoCloseable {
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

    private final Process driver;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;
    private final String session;

    WebDriver(Path profile) throws IOException, InterruptedException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        base = "http://127.0.0.1:" + port;
        driver = new ProcessBuilder(DRIVER.toString(), "--port=" + port, "--allowed-ips=127.0.0.1")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        waitReady();
        String args = String.join(",", List.of("\"--headless\"", "\"--no-sandbox\"", "\"--disable-gpu\"", "\"--disable-quic\"",
                "\"--no-first-run\"", "\"--disable-background-networking\"", "\"--disable-component-update\"",
                "\"--disable-sync\"", "\"--window-size=1400,1600\"", "\"--user-data-dir=" + profile.toAbsolutePath() + "\""));
        String answer = post("/session", "{\"capabilities\":{\"alwaysMatch\":{\"browserName\":\"chrome\","
                + "\"goog:chromeOptions\":{\"binary\":\"" + HeadlessChromium.BINARY + "\",\"args\":[" + args + "]}}}}");
        session = find(answer, "\"sessionId\"\\s*:\\s*\"([^\"]+)\"");
    }

    static boolean present() {
        return Files.isExecutable(DRIVER) && HeadlessChromium.present();
    }

    /** Loads {@code url} and returns when the page has loaded. */
    void open(String url) throws IOException, InterruptedException {
        post("/session/" + session + "/url", "{\"url\":\"" + url + "\"}");
    }

    /** The first element matching {@code css}; fails when there is none. */
    String element(String css) throws IOException, InterruptedException {
        String answer = post("/session/" + session + "/element", "{\"using\":\"css selector\",\"value\":\"" + css + "\"}");
        return find(answer, "\"" + ELEMENT + "\"\\s*:\\s*\"([^\"]+)\"");
    }

    /** How many elements match {@code css}. */
    int count(String css) throws IOException, InterruptedException {
        String answer = post("/session/" + session + "/elements", "{\"using\":\"css selector\",\"value\":\"" + css + "\"}");
        Matcher m = Pattern.compile("\"" + ELEMENT + "\"").matcher(answer);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    void click(String element) throws IOException, InterruptedException {
        post("/session/" + session + "/element/" + element + "/click", "{}");
    }

    /**
     * Clicks a button that submits a form and returns once the browser shows the page that
     * answered it. A click can return before the navigation it starts has begun; reading right
     * after would then find the old page's elements, which go stale under the reader. So this
     * waits until the old document's root element is stale and the new document has loaded.
     */
    void submit(String button) throws IOException, InterruptedException {
        String oldRoot = element("html");
        click(button);
        long deadline = System.nanoTime() + 300_000_000_000L; // host time: a bounded wait for the server's answer
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/session/" + session + "/element/"
                    + oldRoot + "/name")).timeout(Duration.ofMinutes(1)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 404 && r.body().contains("stale element reference")) {
                String state = find(post("/session/" + session + "/execute/sync",
                        "{\"script\":\"return document.readyState\",\"args\":[]}"), "\"value\"\\s*:\\s*\"([^\"]*)\"");
                if (state.equals("complete")) {
                    return;
                }
            } else {
                check(r, "/element/" + oldRoot + "/name");
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the page did not change within 5 minutes of the click");
    }

    String text(String element) throws IOException, InterruptedException {
        return find(get("/session/" + session + "/element/" + element + "/text"), "\"value\"\\s*:\\s*\"([^\"]*)\"");
    }

    String title() throws IOException, InterruptedException {
        return find(get("/session/" + session + "/title"), "\"value\"\\s*:\\s*\"([^\"]*)\"");
    }

    /** A PNG of the viewport. */
    void screenshot(Path png) throws IOException, InterruptedException {
        String b64 = find(get("/session/" + session + "/screenshot"), "\"value\"\\s*:\\s*\"([^\"]+)\"");
        Files.write(png, Base64.getDecoder().decode(b64));
    }

    @Override
    public void close() {
        try {
            http.send(HttpRequest.newBuilder(URI.create(base + "/session/" + session)).DELETE()
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException | InterruptedException | RuntimeException e) {
            // The driver goes below either way.
        } finally {
            driver.descendants().forEach(ProcessHandle::destroy);
            driver.destroy();
        }
    }

    private void waitReady() throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L; // host time: a bounded wait for a process to listen
        while (System.nanoTime() < deadline) {
            try {
                if (get("/status").contains("\"ready\":true") || get("/status").contains("\"ready\": true")) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        driver.destroy();
        throw new AssertionError("chromedriver did not become ready");
    }

    private String post(String path, String json) throws IOException, InterruptedException {
        return check(http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(3))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString()), path);
    }

    private String get(String path) throws IOException, InterruptedException {
        return check(http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(1)).GET().build(),
                HttpResponse.BodyHandlers.ofString()), path);
    }

    private static String check(HttpResponse<String> r, String path) {
        if (r.statusCode() != 200) {
            throw new AssertionError("WebDriver " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    private static String find(String s, String regex) {
        Matcher m = Pattern.compile(regex).matcher(s);
        if (!m.find()) {
            throw new AssertionError("no " + regex + " in " + s);
        }
        return m.group(1);
    }

    static List<String> all(String s, String regex) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile(regex).matcher(s);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
