package org.iommulab.itests;

import static org.junit.Assert.assertEquals;

import java.util.Collection;

import javax.inject.Inject;

import org.iommulab.itests.support.Containers;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized.Parameters;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExamParameterized;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * PLACEHOLDER (build plumbing only): the parameterized runner works (one container per
 * class, the {@code @Configuration} method is static), the shape the per-backend
 * conformance suite will take.
 */
@RunWith(PaxExamParameterized.class)
@ExamReactorStrategy(PerClass.class)
public class PlaceholderParameterizedIT {

    @Inject
    private BundleContext context;

    private final String bsn;

    public PlaceholderParameterizedIT(String bsn) {
        this.bsn = bsn;
    }

    @Parameters(name = "{0}")
    public static Collection<Object[]> bundles() {
        return Containers.IOMMULAB_BUNDLES.stream().map(b -> new Object[] {b}).toList();
    }

    @Configuration
    public static Option[] config() {
        return Containers.options();
    }

    @Test
    public void bundleIsActive() {
        Bundle found = null;
        for (Bundle bundle : context.getBundles()) {
            if (bsn.equals(bundle.getSymbolicName())) {
                found = bundle;
            }
        }
        assertEquals(bsn + " ACTIVE", Bundle.ACTIVE, found == null ? -1 : found.getState());
    }
}
