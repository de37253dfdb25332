package org.iommulab.app.internal.console;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.apache.felix.webconsole.spi.SecurityProvider;

/**
 * The Web Console's security provider (id {@value #ID}): HTTP Basic against the password the
 * user set. The console's run names this provider as required
 * ({@code felix.webconsole.security.providers}), so the Web Console serves nothing before it is
 * registered and its own admin/admin default never applies.
 */
final class ConsoleSecurity implements SecurityProvider {
    static final String ID = "iommulab";

    private final BasicAuth auth;

    ConsoleSecurity(BasicAuth auth) {
        this.auth = auth;
    }

    @Override
    public Object authenticate(HttpServletRequest request, HttpServletResponse response) {
        if (auth.accepts(request.getHeader("Authorization"))) {
            return auth.user();
        }
        response.setHeader("WWW-Authenticate", "Basic realm=\"iommulab console\", charset=\"UTF-8\"");
        response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
        return null;
    }

    @Override
    public boolean authorize(Object user, String role) {
        return auth.user().equals(user);
    }

    @Override
    public void logout(HttpServletRequest request, HttpServletResponse response) {
        // HTTP Basic has no server-side session to end; the browser forgets the credentials.
    }
}
