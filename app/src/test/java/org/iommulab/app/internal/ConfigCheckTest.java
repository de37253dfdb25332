package org.iommulab.app.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

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
}
