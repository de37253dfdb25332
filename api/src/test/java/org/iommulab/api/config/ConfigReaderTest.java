package org.iommulab.api.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.util.List;
import java.util.Map;

import org.iommulab.api.platform.MemoryRegion;
import org.junit.jupiter.api.Test;

class ConfigReaderTest {

    @Retention(RetentionPolicy.RUNTIME)
    @interface Sample {
        String size() default "64M";

        int sim_cpus() default 8;

        boolean a__b() default true;

        String required();
    }

    @Test
    void sizesArePowersOf1024() {
        assertEquals(Long.valueOf(1024), ConfigReader.parseSize("1K"));
        assertEquals(Long.valueOf(3L << 20), ConfigReader.parseSize("3m"));
        assertEquals(Long.valueOf(2L << 30), ConfigReader.parseSize("2G"));
        assertEquals(Long.valueOf(0x1000), ConfigReader.parseSize("0x1000"));
        assertEquals(Long.valueOf(1_000_000), ConfigReader.parseSize("1_000_000"));
        assertNull(ConfigReader.parseSize("1T"));
        assertNull(ConfigReader.parseSize("K"));
        assertNull(ConfigReader.parseSize("-4K"));
        // 2^33 GiB is 2^63 bytes: one past Long.MAX_VALUE.
        assertNull(ConfigReader.parseSize("8589934592G"));
        assertEquals(Long.valueOf((1L << 62) + ((1L << 62) - (1L << 30))), ConfigReader.parseSize("8589934591G"));
    }

    @Test
    void propertyNamesFollowDeclarativeServices() {
        assertEquals("sim.cpus", ConfigReader.propertyName("sim_cpus"));
        assertEquals("a_b", ConfigReader.propertyName("a__b"));
        assertEquals("a-b", ConfigReader.propertyName("a$_$b"));
        assertEquals("a$b", ConfigReader.propertyName("a$$b"));
        assertEquals("ab", ConfigReader.propertyName("a$b"));
    }

    @Test
    void defaultsComeFromTheAnnotationAndAreHeldToTheRule() {
        assertEquals(Map.of("size", "64M", "sim.cpus", 8, "a_b", true), ConfigReader.defaults(Sample.class));
        ConfigReader r = new ConfigReader("p", Map.of("sim.cpus", "0x10"), Sample.class);
        assertEquals(64L << 20, r.size("size", 1, 1L << 30));
        assertEquals(16, r.integer("sim.cpus", 1, 16));
        ConfigException e = assertThrows(ConfigException.class, () -> r.size("size", 1, 1L << 20));
        assertEquals("configuration p: size=64M: a size 1..1M (bytes, or a number ending in K, M or G for KiB, MiB, GiB)",
                e.getMessage());
        e = assertThrows(ConfigException.class, () -> r.string("required"));
        assertEquals("configuration p: required=(missing): required: a string", e.getMessage());
        assertNull(e.value());
    }

    @Test
    void masksAreAllOnesFromBitZero() {
        ConfigReader r = new ConfigReader("p", Map.of("a", "0xffffffffffffffff", "b", "0", "c", "0xfff", "d", "0xffe", "e", "4095"));
        assertEquals(-1L, r.mask("a", false, 12));
        assertEquals(0, r.mask("b", true, 1));
        assertThrows(ConfigException.class, () -> r.mask("b", false, 1));
        assertEquals(0xfff, r.mask("c", false, 12));
        assertThrows(ConfigException.class, () -> r.mask("c", false, 13));
        assertThrows(ConfigException.class, () -> r.mask("d", true, 1));
        assertEquals(0xfff, r.mask("e", false, 12));
    }

    @Test
    void regionsAndListsTakeArraysCollectionsAndSingleStrings() {
        ConfigReader r = new ConfigReader("p", Map.of("one", "0x1000+0x2000", "many", List.of("1000+1000", " ", "0x8000+0x10"),
                "wrap", "0x7fffffffffffffff+0x10", "typed", new Integer[] {1}));
        assertEquals(List.of(new MemoryRegion(0x1000, 0x2000)), r.regions("one"));
        assertEquals(List.of(new MemoryRegion(0x1000, 0x1000), new MemoryRegion(0x8000, 0x10)), r.regions("many"));
        assertEquals(List.of(), r.regions("absent"));
        assertThrows(ConfigException.class, () -> r.regions("wrap"));
        ConfigException e = assertThrows(ConfigException.class, () -> r.list("typed"));
        assertEquals("configuration p: typed=1: a list of strings", e.getMessage());
    }

    @Test
    void typedValuesAreReadAsTheyAre() {
        ConfigReader r = new ConfigReader("p", Map.of("n", 7L, "b", Boolean.FALSE, "s", 2048, "o", 2));
        assertEquals(7, r.integer("n", 0, 10));
        assertEquals(false, r.bool("b"));
        assertEquals(2048, r.size("s", 1, 4096));
        assertEquals("2", r.oneOf("o", "1", "2"));
        assertThrows(ConfigException.class, () -> r.integer("n", 8, 10));
    }

    @Test
    void aTypedConfigurationReadsBackByPropertyName() {
        Sample s = new Sample() {
            @Override
            public Class<? extends java.lang.annotation.Annotation> annotationType() {
                return Sample.class;
            }

            @Override
            public String size() {
                return "1G";
            }

            @Override
            public int sim_cpus() {
                return 2;
            }

            @Override
            public boolean a__b() {
                return false;
            }

            @Override
            public String required() {
                return "x";
            }
        };
        assertEquals(Map.of("size", "1G", "sim.cpus", 2, "a_b", false, "required", "x"), ConfigReader.properties(s));
    }
}
