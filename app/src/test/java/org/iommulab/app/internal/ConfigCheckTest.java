package org.iommulab.app.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

class ConfigCheckTest {

    @Test
    void aFailureSaysItsInnermostCauseAndAConfigurationErrorItsMessageAlone() {
        String failure = "org.osgi.service.component.ComponentException: activation\n"
                + "\tat a.b(C.java:1)\n"
                + "Caused by: java.lang.reflect.InvocationTargetException\n"
                + "\tat d.e(F.java:2)\n"
                + "Caused by: org.iommulab.api.config.ConfigException: configuration p: k=v: a rule\n"
                + "\tat g.h(I.java:3)\n";
        assertEquals("configuration p: k=v: a rule", ConfigCheck.reason(failure));
        assertEquals("java.lang.IllegalArgumentException: mmioRegions overlaps RAM",
                ConfigCheck.reason("java.lang.IllegalArgumentException: mmioRegions overlaps RAM\n\tat x.y(Z.java:1)\n"));
        assertEquals("(no reason given)", ConfigCheck.reason(null));
    }

    @Test
    void verboseIsAnOptionOfTheMainJob() {
        assertTrue(org.iommulab.app.cli.Cli.parse(new String[] {"--verbose"}).verbose());
        assertTrue(org.iommulab.app.cli.Cli.parse(new String[] {"-v", "--scenario", "f"}).verbose());
        assertFalse(org.iommulab.app.cli.Cli.parse(new String[] {"--scenario", "f"}).verbose());
        assertNull(org.iommulab.app.cli.Cli.parse(new String[] {"--verbose", "--shell"}).error());
    }

    /**
     * The main job's wait before the runs (DS 1.5, 112.10: UNSATISFIED_REFERENCE waits for a
     * service; an immediate component that is SATISFIED but not ACTIVE is being activated; a
     * delayed one rests at SATISFIED until used; FAILED_ACTIVATION is reported elsewhere).
     */
    @Test
    void componentsAreAtRestWhenNoneWaitsForAReferenceAndEveryImmediateOneIsActive() {
        assertTrue(ConfigCheck.componentsAtRest(scr(
                component(true, ComponentConfigurationDTO.ACTIVE),
                component(false, ComponentConfigurationDTO.SATISFIED),
                component(true, ComponentConfigurationDTO.FAILED_ACTIVATION))));
        assertFalse(ConfigCheck.componentsAtRest(scr(
                component(true, ComponentConfigurationDTO.ACTIVE),
                component(true, ComponentConfigurationDTO.SATISFIED))));
        assertFalse(ConfigCheck.componentsAtRest(scr(
                component(false, ComponentConfigurationDTO.UNSATISFIED_REFERENCE))));
        assertFalse(ConfigCheck.componentsAtRest(scr()), "no SCR yet: nothing is known to be at rest");
    }

    private static ComponentDescriptionDTO component(boolean immediate, int state) {
        ComponentDescriptionDTO d = new ComponentDescriptionDTO();
        d.immediate = immediate;
        ComponentConfigurationDTO c = new ComponentConfigurationDTO();
        c.description = d;
        c.state = state;
        d.name = "c" + System.identityHashCode(c);
        STATES.put(d, c);
        return d;
    }

    private static final java.util.Map<ComponentDescriptionDTO, ComponentConfigurationDTO> STATES = new java.util.IdentityHashMap<>();

    /** A bundle context whose registry holds one ServiceComponentRuntime with these components (none for none). */
    private static BundleContext scr(ComponentDescriptionDTO... components) {
        ServiceComponentRuntime runtime = (ServiceComponentRuntime) Proxy.newProxyInstance(ConfigCheckTest.class.getClassLoader(),
                new Class<?>[] {ServiceComponentRuntime.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getComponentDescriptionDTOs" -> List.of(components);
                    case "getComponentConfigurationDTOs" -> List.of(STATES.get((ComponentDescriptionDTO) args[0]));
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        ServiceReference<?> ref = (ServiceReference<?>) Proxy.newProxyInstance(ConfigCheckTest.class.getClassLoader(),
                new Class<?>[] {ServiceReference.class}, (proxy, method, args) -> {
                    throw new UnsupportedOperationException(method.getName());
                });
        boolean present = components.length > 0;
        return (BundleContext) Proxy.newProxyInstance(ConfigCheckTest.class.getClassLoader(), new Class<?>[] {BundleContext.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getServiceReference" -> present ? ref : null;
                    case "getService" -> runtime;
                    case "ungetService" -> true;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
