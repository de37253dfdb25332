package org.iommulab.app.it.extra;

import java.util.Hashtable;

import org.iommulab.api.backend.BackendException;
import org.iommulab.api.backend.DmaDevice;
import org.iommulab.api.backend.TranslationPort;
import org.iommulab.api.iommu.DomainType;
import org.iommulab.api.iommu.IommuCapability;
import org.iommulab.api.iommu.IommuDomain;
import org.iommulab.api.iommu.IommuDriver;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The activator of a third-party test bundle that {@code TckCommandIT} builds from these
 * classes: it registers an IOMMU driver named {@value #NAME}, with no service ranking, that
 * drives the generic IOMMU's hardware (it forwards to the {@code generic} driver service).
 * Built outside the reactor's bundles, known to nothing in the app: the {@code tck} command must
 * install it, find its backend and put it under the checks.
 */
public final class ExtraDriverActivator implements BundleActivator {
    public static final String NAME = "tck-extra";

    private ServiceTracker<IommuDriver, ServiceRegistration<IommuDriver>> tracker;

    @Override
    public void start(BundleContext context) throws Exception {
        tracker = new ServiceTracker<>(context, context.createFilter("(&(objectClass=" + IommuDriver.class.getName()
                + ")(" + IommuDriver.NAME_PROPERTY + "=generic))"), null) {
            @Override
            public ServiceRegistration<IommuDriver> addingService(ServiceReference<IommuDriver> ref) {
                IommuDriver generic = context.getService(ref);
                Hashtable<String, Object> props = new Hashtable<>();
                props.put(IommuDriver.NAME_PROPERTY, NAME);
                return context.registerService(IommuDriver.class, new Renamed(generic), props);
            }

            @Override
            public void removedService(ServiceReference<IommuDriver> ref, ServiceRegistration<IommuDriver> reg) {
                reg.unregister();
                context.ungetService(ref);
            }
        };
        tracker.open();
    }

    @Override
    public void stop(BundleContext context) {
        tracker.close();
    }

    /** The generic driver under another name. */
    public static final class Renamed implements IommuDriver {
        private final IommuDriver d;

        Renamed(IommuDriver d) {
            this.d = d;
        }

        @Override
        public String name() {
            return NAME;
        }

        @Override
        public void probeDevice(DmaDevice device) throws BackendException {
            d.probeDevice(device);
        }

        @Override
        public void releaseDevice(DmaDevice device) {
            d.releaseDevice(device);
        }

        @Override
        public boolean servesDevice(DmaDevice device) {
            return d.servesDevice(device);
        }

        @Override
        public IommuDomain allocDomain(DomainType type) {
            return d.allocDomain(type);
        }

        @Override
        public long pgsizeBitmap() {
            return d.pgsizeBitmap();
        }

        @Override
        public boolean capable(IommuCapability capability) {
            return d.capable(capability);
        }

        @Override
        public TranslationPort translationPort(DmaDevice device) {
            return d.translationPort(device);
        }
    }
}
