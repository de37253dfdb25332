package org.iommulab.smmu.v3.internal.ds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.Annotation;
import java.util.Map;

import org.iommulab.iopgtable.lpae.LpaeGranule;
import org.iommulab.smmu.v3.internal.driver.DriverConfig;
import org.iommulab.smmu.v3.internal.model.SmmuV3Features;
import org.junit.jupiter.api.Test;

/** The component's configuration turned into features and driver settings, and bad values refused by name. */
class SmmuV3SettingsTest {
    /** A configuration with the defaults, overridden by {@code values}. */
    private static SmmuV3Configuration config(Map<String, Object> values) {
        return new SmmuV3Configuration() {
            private <T> T get(String k, T def) {
                @SuppressWarnings("unchecked")
                T v = (T) values.getOrDefault(k, def);
                return v;
            }

            @Override
            public Class<? extends Annotation> annotationType() {
                return SmmuV3Configuration.class;
            }

            @Override
            public String stage() {
                return get("stage", "1");
            }

            @Override
            public String streamTableFormat() {
                return get("streamTableFormat", "2level");
            }

            @Override
            public int sidBits() {
                return get("sidBits", 16);
            }

            @Override
            public int ssidBits() {
                return get("ssidBits", 0);
            }

            @Override
            public String granule() {
                return get("granule", "4K");
            }

            @Override
            public int ias() {
                return get("ias", 48);
            }

            @Override
            public int oas() {
                return get("oas", 44);
            }

            @Override
            public int cmdqLog2Size() {
                return get("cmdq", 8);
            }

            @Override
            public int evtqLog2Size() {
                return get("evtq", 8);
            }

            @Override
            public int iotlbEntries() {
                return get("iotlb", 256);
            }

            @Override
            public boolean ril() {
                return get("ril", true);
            }

            @Override
            public boolean msiPoll() {
                return get("msiPoll", true);
            }

            @Override
            public int service_ranking() {
                return 200;
            }
        };
    }

    @Test
    void defaultsAreQemuLikeFeaturesAndLinuxLikeDriver() {
        SmmuV3Features f = SmmuV3Settings.features(config(Map.of()));
        assertEquals(SmmuV3Features.Stages.S1, f.stages());
        assertEquals(16, f.sidBits());
        assertEquals(44, f.oasBits());
        assertTrue(f.ril());
        DriverConfig d = SmmuV3Settings.driver(config(Map.of()));
        assertTrue(d.toString().contains("2-level"));
        assertTrue(d.toString().contains("S1"));
    }

    @Test
    void nestedSixtyFourKLinear() {
        Map<String, Object> v = Map.of("stage", "nested", "granule", "64K", "streamTableFormat", "linear", "iotlb", 8);
        assertEquals(SmmuV3Features.Stages.NESTED, SmmuV3Settings.features(config(v)).stages());
        assertEquals(8, SmmuV3Settings.features(config(v)).iotlbEntries());
        String d = SmmuV3Settings.driver(config(v)).toString();
        assertTrue(d.contains("linear") && d.contains("NESTED") && d.contains(LpaeGranule.G64K.toString()), d);
    }

    @Test
    void badValuesAreNamed() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SmmuV3Settings.features(config(Map.of("stage", "3"))))
                .getMessage().contains("stage"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SmmuV3Settings.driver(config(Map.of("granule", "8K"))))
                .getMessage().contains("granule"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> SmmuV3Settings.driver(config(Map.of("streamTableFormat", "3level")))).getMessage()
                .contains("streamTableFormat"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SmmuV3Settings.features(config(Map.of("oas", 45))))
                .getMessage().contains("OAS"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SmmuV3Settings.driver(config(Map.of("cmdq", 6))))
                .getMessage().contains("64"));
    }
}
