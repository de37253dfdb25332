package org.iommulab.app.internal.console;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * Checks an HTTP Basic {@code Authorization} header (RFC 7617) against the one user and the
 * password the user set. Only a SHA-256 digest of the password is kept, and the comparison takes
 * the same time whatever matches. Thread-safe (immutable).
 */
final class BasicAuth {
    private final String user;
    private final byte[] digest;

    BasicAuth(String user, String password) {
        this.user = user;
        this.digest = sha256(password);
    }

    /** True when {@code header} is {@code Basic base64(user:password)} with the right user and password. */
    boolean accepts(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return false;
        }
        boolean userOk = MessageDigest.isEqual(sha256(user), sha256(decoded.substring(0, colon)));
        boolean passwordOk = MessageDigest.isEqual(digest, sha256(decoded.substring(colon + 1)));
        return userOk & passwordOk;
    }

    String user() {
        return user;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }
}
