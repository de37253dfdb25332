package org.iommulab.app.internal.console;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;

/**
 * Cross-site request protection for the console's POSTs: a random token tied to the HTTP
 * session (synchronizer token), which every form carries and every POST must return, and the
 * {@code Origin} header, which must name this very server. A POST without either is refused.
 */
final class CsrfGuard {
    static final String FIELD = "csrf";
    private static final String ATTRIBUTE = "org.iommulab.console.csrf";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The session's token, made on first use. */
    String token(HttpServletRequest request) {
        HttpSession session = request.getSession(true);
        synchronized (session) {
            String t = (String) session.getAttribute(ATTRIBUTE);
            if (t == null) {
                byte[] b = new byte[32];
                RANDOM.nextBytes(b);
                t = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
                session.setAttribute(ATTRIBUTE, t);
            }
            return t;
        }
    }

    /** Why {@code request} must be refused, or null when its origin and token are right. */
    String refusal(HttpServletRequest request) {
        String origin = request.getHeader("Origin");
        String host = request.getHeader("Host");
        if (origin == null || host == null) {
            return "no Origin header: refused as a possible cross-site request";
        }
        if (!origin.equalsIgnoreCase(request.getScheme() + "://" + host)) {
            return "Origin " + origin + " is not this console: refused";
        }
        HttpSession session = request.getSession(false);
        String expected = session == null ? null : (String) session.getAttribute(ATTRIBUTE);
        String given = request.getParameter(FIELD);
        if (expected == null || given == null || !MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                given.getBytes(StandardCharsets.US_ASCII))) {
            return "missing or wrong form token: refused (reload the page)";
        }
        return null;
    }
}
