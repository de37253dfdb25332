package org.iommulab.app.internal.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console's password, its HTTP Basic check and its cross-site request guard. */
class ConsoleSecurityTest {

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void noPasswordNoConsole(@TempDir Path dir) throws IOException {
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> ConsolePassword.resolve(null, Map.of()));
        assertTrue(none.getMessage().contains("there is no default password"), none.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ConsolePassword.resolve(null, Map.of(ConsolePassword.ENV, "")));
        assertThrows(IllegalArgumentException.class, () -> ConsolePassword.resolve(null, Map.of(ConsolePassword.ENV, "short")));
        assertEquals("long-enough", ConsolePassword.resolve(null, Map.of(ConsolePassword.ENV, "long-enough")));
        Path file = dir.resolve("pw");
        Files.writeString(file, "from-the-file\nsecond line ignored\n");
        assertEquals("from-the-file", ConsolePassword.resolve(file.toString(), Map.of(ConsolePassword.ENV, "the-env-one")),
                "the file, when given, wins");
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> ConsolePassword.resolve(dir.resolve("nope").toString(), Map.of()));
        assertTrue(missing.getMessage().startsWith("--console-password-file"), missing.getMessage());
    }

    @Test
    void onlyTheUserAndPasswordSetAreLetIn() {
        BasicAuth auth = new BasicAuth("iommulab", "s3cret-pass");
        assertTrue(auth.accepts(basic("iommulab", "s3cret-pass")));
        assertTrue(auth.accepts("basic " + basic("iommulab", "s3cret-pass").substring(6)), "the scheme is case-insensitive");
        assertFalse(auth.accepts(basic("admin", "admin")), "the Web Console's old default");
        assertFalse(auth.accepts(basic("iommulab", "s3cret-pas")));
        assertFalse(auth.accepts(basic("iommulab", "s3cret-pass2")));
        assertFalse(auth.accepts(basic("other", "s3cret-pass")));
        assertFalse(auth.accepts(null));
        assertFalse(auth.accepts("Bearer x"));
        assertFalse(auth.accepts("Basic !!!not-base64"));
        assertFalse(auth.accepts("Basic " + Base64.getEncoder().encodeToString("no-colon".getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void aRefusedLoginAsksForBasicCredentials() {
        ConsoleSecurity sec = new ConsoleSecurity(new BasicAuth("iommulab", "s3cret-pass"));
        Map<String, Object> sent = new HashMap<>();
        HttpServletResponse response = proxy(HttpServletResponse.class, (name, args) -> {
            if (name.equals("setHeader")) {
                sent.put((String) args[0], args[1]);
            } else if (name.equals("setStatus")) {
                sent.put("status", args[0]);
            }
            return null;
        });
        assertNull(sec.authenticate(request(Map.of("Authorization", basic("admin", "admin")), Map.of(), null), response));
        assertEquals(401, sent.get("status"));
        assertTrue(((String) sent.get("WWW-Authenticate")).startsWith("Basic realm="));
        assertEquals("iommulab", sec.authenticate(request(Map.of("Authorization", basic("iommulab", "s3cret-pass")), Map.of(),
                null), response));
        assertTrue(sec.authorize("iommulab", "any"));
        assertFalse(sec.authorize("someone", "any"));
    }

    @Test
    void aPostNeedsThisOriginAndTheSessionsToken() {
        CsrfGuard guard = new CsrfGuard();
        Map<String, Object> attributes = new HashMap<>();
        HttpSession session = proxy(HttpSession.class, (name, args) -> switch (name) {
            case "getAttribute" -> attributes.get(args[0]);
            case "setAttribute" -> attributes.put((String) args[0], args[1]);
            default -> null;
        });
        String token = guard.token(request(Map.of(), Map.of(), session));
        assertEquals(token, guard.token(request(Map.of(), Map.of(), session)), "one token per session");
        assertTrue(token.length() >= 43, "256 random bits, base64url: " + token);

        Map<String, String> here = Map.of("Origin", "http://127.0.0.1:8080", "Host", "127.0.0.1:8080");
        assertNull(guard.refusal(request(here, Map.of(CsrfGuard.FIELD, token), session)));
        assertTrue(guard.refusal(request(Map.of("Host", "127.0.0.1:8080"), Map.of(CsrfGuard.FIELD, token), session))
                .startsWith("no Origin header"));
        assertTrue(guard.refusal(request(Map.of("Origin", "http://evil.example", "Host", "127.0.0.1:8080"),
                Map.of(CsrfGuard.FIELD, token), session)).contains("is not this console"));
        assertTrue(guard.refusal(request(here, Map.of(CsrfGuard.FIELD, token + "x"), session)).contains("wrong form token"));
        assertTrue(guard.refusal(request(here, Map.of(), session)).contains("wrong form token"));
        assertTrue(guard.refusal(request(here, Map.of(CsrfGuard.FIELD, token), null)).contains("wrong form token"),
                "a token from another session (here none) is refused");
    }

    private interface Answer {
        Object answer(String method, Object[] args);
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, Answer answer) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (p, m, args) -> answer.answer(m.getName(), args == null ? new Object[0] : args));
    }

    private static HttpServletRequest request(Map<String, String> headers, Map<String, String> params, HttpSession session) {
        return proxy(HttpServletRequest.class, (name, args) -> switch (name) {
            case "getHeader" -> headers.get(args[0]);
            case "getParameter" -> params.get(args[0]);
            case "getScheme" -> "http";
            case "getSession" -> args.length == 0 || (Boolean) args[0] ? session : session;
            default -> null;
        });
    }
}
