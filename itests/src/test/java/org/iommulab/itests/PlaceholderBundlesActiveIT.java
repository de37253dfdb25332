package org.iommulab.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;

import javax.inject.Inject;

import org.iommulab.itests.support.Containers;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/** PLACEHOLDER (build plumbing only): the iommulab bundles resolve and start in Felix. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class PlaceholderBundlesActiveIT {

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() {
        return Containers.options();
    }

    @Test
    public void iommulabBundlesAreActive() {
        for (String bsn : Containers.IOMMULAB_BUNDLES) {
            Bundle bundle = find(bsn);
            assertNotNull("bundle " + bsn + " is installed", bundle);
            assertEquals("state of " + bsn, Bundle.ACTIVE, bundle.getState());
        }
    }

    @Test
    public void declarativeServicesRuntimeIsPresent() {
        assertNotNull(context.getServiceReference(
            "org.osgi.service.component.runtime.ServiceComponentRuntime"));
    }

    private Bundle find(String bsn) {
        for (Bundle bundle : context.getBundles()) {
            if (bsn.equals(bundle.getSymbolicName())) {
                return bundle;
            }
        }
        return null;
    }
}
