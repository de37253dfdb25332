package org.iommulab.app.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;

/**
 * {@code iommu:config [PID]} in the shell: the configuration in effect for every PID the
 * bundles describe with metatype (or for one), each key with its value, whether that is the
 * default, the default, and the metatype's description of the key; keys a configuration sets
 * that its PID does not have are listed as ignored (a typo shows here). Factory PIDs
 * ({@code org.iommulab.device}) list each of their configurations. Read-only.
 */
@Component(service = ConfigCommand.class)
@GogoCommand(scope = "iommu", function = {"config"})
public final class ConfigCommand {
    /** Properties ConfigAdmin and FileInstall add to every configuration: not keys of a PID. */
    private static final Set<String> BOOKKEEPING = Set.of("service.pid", "service.factoryPid", "service.bundleLocation",
            DeployFolder.FILENAME_PROPERTY);

    private final BundleContext context;
    private final ConfigurationAdmin cm;
    private final MetaTypeService metatype;

    @Activate
    public ConfigCommand(BundleContext context, @Reference ConfigurationAdmin cm, @Reference MetaTypeService metatype) {
        this.context = context;
        this.cm = cm;
        this.metatype = metatype;
    }

    @Descriptor("the configuration in effect for every iommulab PID: each key's value, default and meaning")
    public String config() throws IOException, InvalidSyntaxException {
        StringBuilder out = new StringBuilder();
        for (String pid : described().keySet()) {
            out.append(show(pid));
        }
        return out.toString();
    }

    @Descriptor("the configuration in effect for one PID (or factory PID): each key's value, default and meaning")
    public String config(@Descriptor("PID, for example org.iommulab.swiotlb") String pid)
            throws IOException, InvalidSyntaxException {
        if (!described().containsKey(pid)) {
            throw new IllegalArgumentException("no metatype describes PID " + pid + "; described: "
                    + String.join(", ", described().keySet()));
        }
        return show(pid);
    }

    /** PID to its description, for every bundle with metatype (sorted by PID). */
    private Map<String, Described> described() {
        Map<String, Described> out = new TreeMap<>();
        for (Bundle b : context.getBundles()) {
            if (b.getSymbolicName() == null || b.getSymbolicName().startsWith("org.apache.felix.")) {
                continue;
            }
            MetaTypeInformation info = metatype.getMetaTypeInformation(b);
            if (info == null) {
                continue;
            }
            for (String pid : info.getPids()) {
                out.put(pid, new Described(info.getObjectClassDefinition(pid, null), false));
            }
            for (String pid : info.getFactoryPids()) {
                out.put(pid, new Described(info.getObjectClassDefinition(pid, null), true));
            }
        }
        return out;
    }

    private record Described(ObjectClassDefinition ocd, boolean factory) {
    }

    private String show(String pid) throws IOException, InvalidSyntaxException {
        Described d = described().get(pid);
        Configuration[] configs = cm.listConfigurations(
                "(" + (d.factory() ? "service.factoryPid" : "service.pid") + "=" + pid + ")");
        StringBuilder out = new StringBuilder();
        if (configs == null || configs.length == 0) {
            out.append(pid).append(": ").append(d.ocd().getName())
                    .append(d.factory() ? " (factory: no configurations)" : " (no configuration: every key at its default)")
                    .append('\n');
            keys(out, d.ocd(), null);
            return out.toString();
        }
        for (Configuration c : configs) {
            Dictionary<String, Object> p = c.getProperties();
            Object file = p == null ? null : p.get(DeployFolder.FILENAME_PROPERTY);
            out.append(d.factory() ? c.getPid() : pid).append(": ").append(d.ocd().getName())
                    .append(file == null ? " (from ConfigAdmin)" : " (from " + file + ")").append('\n');
            keys(out, d.ocd(), p);
        }
        return out.toString();
    }

    private static void keys(StringBuilder out, ObjectClassDefinition ocd, Dictionary<String, Object> props) {
        Set<String> seen = new LinkedHashSet<>();
        for (AttributeDefinition ad : ocd.getAttributeDefinitions(ObjectClassDefinition.ALL)) {
            seen.add(ad.getID());
            String dflt = ad.getDefaultValue() == null ? "(none)" : String.join(",", ad.getDefaultValue());
            Object v = props == null ? null : props.get(ad.getID());
            String value = v == null ? dflt + " (default)" : text(v) + (text(v).equals(dflt) ? " (the default)" : " (default " + dflt + ")");
            out.append(String.format("  %-26s %s%n", ad.getID(), value));
            if (ad.getDescription() != null && !ad.getDescription().isBlank()) {
                out.append("      ").append(ad.getDescription()).append('\n');
            }
        }
        if (props == null) {
            return;
        }
        List<String> ignored = new ArrayList<>();
        for (Enumeration<String> e = props.keys(); e.hasMoreElements();) {
            String k = e.nextElement();
            if (!seen.contains(k) && !BOOKKEEPING.contains(k) && !k.endsWith(".target")) {
                ignored.add(k + "=" + text(props.get(k)));
            }
        }
        if (!ignored.isEmpty()) {
            out.append("  not keys of this PID, ignored: ").append(String.join(", ", ignored)).append('\n');
        }
    }

    private static String text(Object v) {
        if (v != null && v.getClass().isArray()) {
            List<String> parts = new ArrayList<>();
            for (int i = 0; i < java.lang.reflect.Array.getLength(v); i++) {
                parts.add(String.valueOf(java.lang.reflect.Array.get(v, i)));
            }
            return String.join(",", parts);
        }
        return String.valueOf(v);
    }
}
