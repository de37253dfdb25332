package org.iommulab.iommu.dma.internal.dma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.iommulab.api.backend.DmaBackend;
import org.iommulab.api.iommu.IommuDriver;
import org.iommulab.iommu.generic.internal.driver.GenericIommuDriver;
import org.iommulab.iommu.generic.internal.model.GenericIommuModel;
import org.iommulab.testkit.FakeSwiotlbPool;
import org.iommulab.platform.internal.sim.SimSettings;
import org.iommulab.platform.internal.sim.Simulation;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;

/**
 * The whiteboard's contract with the framework, with the framework played by proxies: one
 * DmaBackend per IommuDriver, same name, the driver's ranking or the default, withdrawn with it.
 */
class IommuDmaWhiteboardTest {
    private final List<Object[]> registered = new ArrayList<>();
    private final List<Object> unregistered = new ArrayList<>();
    private final List<Object> updated = new ArrayList<>();

    private BundleContext context() {
        return (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BundleContext.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("registerService")) {
                        Object service = args[1];
                        registered.add(new Object[] {args[0], service, args[2]});
                        return Proxy.newProxyInstance(getClass().getClassLoader(),
                                new Class<?>[] {ServiceRegistration.class}, (p, m, a) -> {
                                    if (m.getName().equals("unregister")) {
                                        unregistered.add(service);
                                    } else if (m.getName().equals("setProperties")) {
                                        updated.add(a[0]);
                                    }
                                    return null;
                                });
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    private final Simulation sim = new Simulation(SimSettings.DEFAULT.withCpus(2));

    private static IommuDmaWhiteboard.Config config(String mode, int ranking, String... backendModes) {
        Map<String, Object> values = new HashMap<>();
        values.put("mode", mode);
        values.put("backendModes", backendModes);
        values.put("flushQueueSize", 256);
        values.put("flushTimeoutMs", 10);
        values.put("singleFlushQueue", false);
        values.put("pciWindows", new String[] {"0x10000000+0x2eff0000"});
        values.put("forceDac", false);
        values.put("ranking", ranking);
        return (IommuDmaWhiteboard.Config) Proxy.newProxyInstance(IommuDmaWhiteboard.Config.class.getClassLoader(),
                new Class<?>[] {IommuDmaWhiteboard.Config.class}, (p, m, a) -> {
                    if (m.getName().equals("annotationType")) {
                        return IommuDmaWhiteboard.Config.class;
                    }
                    return values.get(m.getName());
                });
    }

    @Test
    void eachDriverBecomesABackendOfTheSameName() {
        IommuDmaWhiteboard wb = new IommuDmaWhiteboard(context(), config("lazy", 100), sim, sim);
        wb.activate();
        IommuDriver generic = new GenericIommuDriver(new GenericIommuModel("generic", 48, 48, 8, 16, 8, false));
        wb.addDriver(generic, Map.of(IommuDriver.NAME_PROPERTY, "generic"));
        assertEquals(1, registered.size());
        Object[] reg = registered.get(0);
        assertEquals(DmaBackend.class, reg[0]);
        DmaBackend backend = (DmaBackend) reg[1];
        assertEquals("generic", backend.name());
        assertTrue(backend.toString().contains("lazy"));
        @SuppressWarnings("unchecked")
        Dictionary<String, Object> props = (Dictionary<String, Object>) reg[2];
        assertEquals("generic", props.get(DmaBackend.NAME_PROPERTY));
        assertEquals(100, props.get(Constants.SERVICE_RANKING));

        IommuDriver ranked = new GenericIommuDriver(new GenericIommuModel("other", 48, 48, 8, 16, 8, false));
        wb.addDriver(ranked, Map.of(IommuDriver.NAME_PROPERTY, "generic", Constants.SERVICE_RANKING, 7));
        @SuppressWarnings("unchecked")
        Dictionary<String, Object> props2 = (Dictionary<String, Object>) registered.get(1)[2];
        assertEquals(7, props2.get(Constants.SERVICE_RANKING), "the driver service's ranking wins");

        wb.updatedDriver(generic, Map.of(IommuDriver.NAME_PROPERTY, "generic", Constants.SERVICE_RANKING, 300));
        @SuppressWarnings("unchecked")
        Dictionary<String, Object> props3 = (Dictionary<String, Object>) updated.get(0);
        assertEquals(300, props3.get(Constants.SERVICE_RANKING), "a ranking change follows the driver");

        wb.removeDriver(generic);
        assertEquals(List.of(backend), unregistered);
        wb.deactivate();
        assertEquals(2, unregistered.size());
        wb.addDriver(generic, Map.of());
        assertEquals(2, registered.size(), "nothing is registered after deactivation");
    }

    /**
     * SCR binds the drivers before the pool (the order of the component description) and
     * activates after both: the backends are published at activation, with the pool bound, so
     * an untrusted device the platform attaches from the registration can bounce at once.
     */
    @Test
    void backendsArePublishedOnlyOnceEveryReferenceIsBound() {
        IommuDmaWhiteboard[] holder = new IommuDmaWhiteboard[1];
        List<Boolean> poolSeenAtRegistration = new ArrayList<>();
        BundleContext inner = context();
        BundleContext watching = (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {BundleContext.class}, (proxy, method, args) -> {
                    if (method.getName().equals("registerService")) {
                        poolSeenAtRegistration.add(holder[0].pool != null);
                    }
                    return method.invoke(inner, args);
                });
        IommuDmaWhiteboard wb = new IommuDmaWhiteboard(watching, config("strict", 100), sim, sim);
        holder[0] = wb;
        wb.addDriver(new GenericIommuDriver(new GenericIommuModel("generic", 48, 48, 8, 16, 8, false)),
                Map.of(IommuDriver.NAME_PROPERTY, "generic"));
        assertTrue(registered.isEmpty(), "nothing is published while SCR is still binding");
        wb.pool = new FakeSwiotlbPool(new Rig().mem, 0x4000_0000L, 1 << 20);
        wb.activate();
        assertEquals(List.of(true), poolSeenAtRegistration);
        assertEquals("generic", ((DmaBackend) registered.get(0)[1]).name());
        wb.addDriver(new GenericIommuDriver(new GenericIommuModel("late", 48, 48, 8, 16, 8, false)),
                Map.of(IommuDriver.NAME_PROPERTY, "late"));
        assertEquals(2, registered.size(), "after activation a new driver's backend is published at once");
    }

    @Test
    void modesCanBeSetPerBackend() {
        IommuDmaWhiteboard wb = new IommuDmaWhiteboard(context(), config("strict", 100, "generic=lazy"), sim, sim);
        assertTrue(wb.settingsFor("generic").lazy);
        assertEquals(2, wb.settingsFor("generic").cpus, "the platform's CPU count, not the host's");
        assertEquals(false, wb.settingsFor("smmu-v3").lazy);
        assertThrows(IllegalArgumentException.class, () -> new IommuDmaWhiteboard(context(), config("fast", 100), sim, sim));
        assertThrows(IllegalArgumentException.class,
                () -> new IommuDmaWhiteboard(context(), config("strict", 100, "generic:lazy"), sim, sim));
    }
}
