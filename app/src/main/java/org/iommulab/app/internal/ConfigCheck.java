package org.iommulab.app.internal;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.iommulab.api.config.ConfigException;
import org.iommulab.api.config.ConfigValidator;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;

/**
 * What is wrong with the configuration in effect, before anything runs: every configuration
 * ConfigAdmin holds (the {@code .cfg} files of {@code deploy/} among them) run through the
 * {@link ConfigValidator} services registered for its PID or factory PID, which apply the
 * components' own rules; and, once the components have started, every component whose
 * activation failed (a rule only the component can check, such as an MMIO region that overlaps
 * RAM), with its reason. Each line names the file when FileInstall made the configuration.
 */
final class ConfigCheck {
    private ConfigCheck() {
    }

    /** @return one line per configuration that breaks a rule (empty when all keep them) */
    static List<String> invalidConfigurations(BundleContext context) {
        List<String> problems = new ArrayList<>();
        ServiceReference<ConfigurationAdmin> ref = context.getServiceReference(ConfigurationAdmin.class);
        ConfigurationAdmin cm = ref == null ? null : context.getService(ref);
        if (cm == null) {
            return problems;
        }
        try {
            Configuration[] all = cm.listConfigurations(null);
            for (Configuration c : all == null ? new Configuration[0] : all) {
                String pid = c.getFactoryPid() != null ? c.getFactoryPid() : c.getPid();
                Map<String, Object> props = toMap(c.getProperties());
                for (ServiceReference<ConfigValidator> r : context.getServiceReferences(ConfigValidator.class,
                        "(" + ConfigValidator.PID_PROPERTY + "=" + pid + ")")) {
                    ConfigValidator v = context.getService(r);
                    try {
                        if (v != null) {
                            v.validate(props);
                        }
                    } catch (ConfigException e) {
                        problems.add(file(props) + e.getMessage());
                        break;
                    } catch (RuntimeException e) {
                        problems.add(file(props) + "configuration " + pid + ": its validator failed: " + e);
                        break;
                    } finally {
                        context.ungetService(r);
                    }
                }
            }
        } catch (IOException | InvalidSyntaxException e) {
            problems.add("configurations cannot be listed: " + e);
        } finally {
            context.ungetService(ref);
        }
        return problems;
    }

    /**
     * Keys a configuration sets that the metatype of its PID does not have: ignored by the
     * component, and most often a typo ({@code streamTableFomat}). Reference targets
     * ({@code *.target}), {@code service.ranking} and ConfigAdmin's and FileInstall's own
     * properties are keys of every component.
     *
     * @return one warning per configuration with such keys (empty when none, or no metatype)
     */
    static List<String> unknownKeys(BundleContext context) {
        List<String> warnings = new ArrayList<>();
        ServiceReference<ConfigurationAdmin> cmRef = context.getServiceReference(ConfigurationAdmin.class);
        ServiceReference<MetaTypeService> mtRef = context.getServiceReference(MetaTypeService.class);
        ConfigurationAdmin cm = cmRef == null ? null : context.getService(cmRef);
        MetaTypeService mt = mtRef == null ? null : context.getService(mtRef);
        try {
            if (cm == null || mt == null) {
                return warnings;
            }
            Map<String, Set<String>> keysByPid = new HashMap<>();
            for (Bundle b : context.getBundles()) {
                MetaTypeInformation info = mt.getMetaTypeInformation(b);
                if (info == null) {
                    continue;
                }
                List<String> pids = new ArrayList<>(List.of(info.getPids()));
                pids.addAll(List.of(info.getFactoryPids()));
                for (String pid : pids) {
                    Set<String> keys = new TreeSet<>();
                    for (AttributeDefinition ad : info.getObjectClassDefinition(pid, null)
                            .getAttributeDefinitions(ObjectClassDefinition.ALL)) {
                        keys.add(ad.getID());
                    }
                    keysByPid.put(pid, keys);
                }
            }
            Configuration[] all = cm.listConfigurations(null);
            for (Configuration c : all == null ? new Configuration[0] : all) {
                String pid = c.getFactoryPid() != null ? c.getFactoryPid() : c.getPid();
                Set<String> known = keysByPid.get(pid);
                if (known == null) {
                    continue;
                }
                Map<String, Object> props = toMap(c.getProperties());
                List<String> unknown = new ArrayList<>();
                for (String k : new TreeSet<>(props.keySet())) {
                    if (!known.contains(k) && !COMMON_KEYS.contains(k) && !k.endsWith(".target")) {
                        unknown.add(k);
                    }
                }
                if (!unknown.isEmpty()) {
                    warnings.add(file(props) + "configuration " + pid + ": " + String.join(", ", unknown)
                            + (unknown.size() == 1 ? " is not a key" : " are not keys") + " of " + pid
                            + ", ignored; its keys: " + String.join(", ", known));
                }
            }
        } catch (IOException | InvalidSyntaxException e) {
            warnings.add("configurations cannot be listed: " + e);
        } finally {
            if (cm != null) {
                context.ungetService(cmRef);
            }
            if (mt != null) {
                context.ungetService(mtRef);
            }
        }
        return warnings;
    }

    /** Properties every configuration may carry: ConfigAdmin's, FileInstall's, the ranking. */
    private static final Set<String> COMMON_KEYS = Set.of("service.pid", "service.factoryPid", "service.bundleLocation",
            DeployFolder.FILENAME_PROPERTY, "service.ranking", "component.name", "component.id");

    /** @return one line per component configuration whose activation failed, with its reason */
    static List<String> failedComponents(BundleContext context) {
        List<String> failed = new ArrayList<>();
        ServiceReference<ServiceComponentRuntime> ref = context.getServiceReference(ServiceComponentRuntime.class);
        ServiceComponentRuntime scr = ref == null ? null : context.getService(ref);
        if (scr == null) {
            return failed;
        }
        try {
            Collection<ComponentDescriptionDTO> descriptions = scr.getComponentDescriptionDTOs();
            for (ComponentDescriptionDTO d : descriptions) {
                for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
                    if (c.state == ComponentConfigurationDTO.FAILED_ACTIVATION) {
                        failed.add("component " + d.name + " (bundle " + d.bundle.symbolicName + ") failed to activate: "
                                + reason(c.failure));
                    }
                }
            }
        } finally {
            context.ungetService(ref);
        }
        return failed;
    }

    /**
     * Whether every enabled component has come to rest: none waits for a reference
     * (UNSATISFIED_REFERENCE), and every immediate one is active (or failed to activate), so a
     * driver component whose device's DmaApi is registered has registered its workload. SCR
     * reports what it has done so far; a component that stays unsatisfied for good (a deploy/
     * bundle missing a service) keeps this false, and the caller's quiet-period rule ends the wait.
     *
     * @return true when nothing is under way, false when something is (or SCR is not there)
     */
    static boolean componentsAtRest(BundleContext context) {
        ServiceReference<ServiceComponentRuntime> ref = context.getServiceReference(ServiceComponentRuntime.class);
        ServiceComponentRuntime scr = ref == null ? null : context.getService(ref);
        if (scr == null) {
            return false;
        }
        try {
            for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
                for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
                    if (c.state == ComponentConfigurationDTO.UNSATISFIED_REFERENCE
                            || d.immediate && c.state == ComponentConfigurationDTO.SATISFIED) {
                        return false;
                    }
                }
            }
            return true;
        } finally {
            context.ungetService(ref);
        }
    }

    /**
     * The line of a failure's stack trace that says why: the innermost "Caused by", without
     * its exception class when it is a configuration error (whose message is whole already).
     */
    static String reason(String failure) {
        if (failure == null || failure.isBlank()) {
            return "(no reason given)";
        }
        String why = failure.lines().findFirst().orElse(failure).trim();
        for (String line : (Iterable<String>) failure.lines()::iterator) {
            if (line.startsWith("Caused by: ")) {
                why = line.substring("Caused by: ".length()).trim();
            }
        }
        String config = ConfigException.class.getName() + ": ";
        return why.startsWith(config) ? why.substring(config.length()) : why;
    }

    private static Map<String, Object> toMap(Dictionary<String, Object> d) {
        Map<String, Object> m = new HashMap<>();
        if (d != null) {
            for (Enumeration<String> keys = d.keys(); keys.hasMoreElements();) {
                String k = keys.nextElement();
                m.put(k, d.get(k));
            }
        }
        return m;
    }

    /** {@code deploy/NAME.cfg: } for a configuration FileInstall made, else nothing. */
    private static String file(Map<String, Object> props) {
        Object f = props.get(DeployFolder.FILENAME_PROPERTY);
        if (f == null) {
            return "";
        }
        String s = f.toString();
        try {
            File file = s.startsWith("file:") ? new File(URI.create(s)) : new File(s);
            File dir = file.getParentFile();
            return (dir == null ? "" : dir.getName() + "/") + file.getName() + ": ";
        } catch (IllegalArgumentException notAUri) {
            return s + ": ";
        }
    }
}
