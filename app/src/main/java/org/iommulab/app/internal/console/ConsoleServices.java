package org.iommulab.app.internal.console;

import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;

import jakarta.servlet.Servlet;

import org.apache.felix.webconsole.servlet.ServletConstants;
import org.apache.felix.webconsole.spi.SecurityProvider;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * Registers the console's two services: the security provider (first, so that the Web Console,
 * which waits for it, never serves a page without it) and the plugin. The only class of the
 * console mode that names OSGi services; loaded only in the console's run, where the servlet
 * API and the Web Console are present.
 */
public final class ConsoleServices implements AutoCloseable {
    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();

    /** @param password the password the user set (checked already) */
    public ConsoleServices(BundleContext context, String password, ConsoleView view) {
        Dictionary<String, Object> sec = new Hashtable<>();
        sec.put(SecurityProvider.PROPERTY_ID, ConsoleSecurity.ID);
        registrations.add(context.registerService(SecurityProvider.class,
                new ConsoleSecurity(new BasicAuth(ConsolePassword.USER, password)), sec));
        Dictionary<String, Object> plugin = new Hashtable<>();
        plugin.put(ServletConstants.PLUGIN_LABEL, IommuPlugin.LABEL);
        plugin.put(ServletConstants.PLUGIN_TITLE, IommuPlugin.TITLE);
        plugin.put(ServletConstants.PLUGIN_CATEGORY, "iommulab");
        registrations.add(context.registerService(Servlet.class, new IommuPlugin(view), plugin));
    }

    @Override
    public void close() {
        for (int i = registrations.size() - 1; i >= 0; i--) {
            try {
                registrations.get(i).unregister();
            } catch (IllegalStateException alreadyGone) {
                // The framework is stopping and took it already.
            }
        }
    }
}
