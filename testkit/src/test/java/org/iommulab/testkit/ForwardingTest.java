package org.iommulab.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.iommulab.api.backend.DmaOps;
import org.iommulab.api.backend.ReservedRegion;
import org.iommulab.api.iommu.PageTableCensus;
import org.iommulab.api.platform.PhysicalMemory;
import org.junit.jupiter.api.Test;

/**
 * The testkit's forwarding classes hand every method of their interface to the inner object,
 * default methods included, with its arguments and its answer: a wrapper put in front of an
 * IOMMU backend that forwarded only DmaOps' abstract methods would answer "no MSI mapping, no
 * reserved regions, no census" for it. Walked by reflection, so a method added to an interface
 * later is checked without this test changing.
 */
class ForwardingTest {

    @Test
    void forwardingOpsPassesOnEveryDmaOpsMethod() throws Exception {
        // DmaOps declares 16 abstract operations and 3 defaults (prepareMsi, reservedRegions,
        // pageTableCensus) today; the count only guards against the walk finding nothing.
        assertTrue(forwardsEveryMethod(DmaOps.class, ForwardingOps::new) >= 19);
    }

    @Test
    void forwardingPhysicalMemoryPassesOnEveryPhysicalMemoryMethod() throws Exception {
        // PhysicalMemory's 4 and MemoryAccess's 9.
        assertTrue(forwardsEveryMethod(PhysicalMemory.class, ForwardingPhysicalMemory::new) >= 13);
    }

    /** Checks every non-static method of {@code type} on {@code wrap(inner)}; returns how many. */
    private static <T> int forwardsEveryMethod(Class<T> type, Function<T, ? extends T> wrap) throws Exception {
        List<String> seen = new ArrayList<>();
        InvocationHandler recorder = (proxy, method, args) -> {
            seen.add(method.getName());
            return answer(method.getReturnType());
        };
        T inner = type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, recorder));
        T forwarding = wrap.apply(inner);
        int methods = 0;
        for (Method m : type.getMethods()) {
            if (Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            methods++;
            seen.clear();
            Object result = m.invoke(forwarding, arguments(m));
            assertEquals(List.of(m.getName()), seen, m + " must reach the inner object once");
            if (m.getReturnType() != void.class) {
                Object expected = answer(m.getReturnType());
                if (m.getReturnType().isPrimitive()) {
                    assertEquals(expected, result, m + " must return the inner object's answer");
                } else {
                    assertSame(expected, result, m + " must return the inner object's answer");
                }
            }
        }
        return methods;
    }

    /**
     * A distinctive answer of each return type, so that a default's own answer (the doorbell
     * itself, an empty list, no census) would not match. Other reference types (the coherent
     * allocation) answer null; the call record still shows they were forwarded.
     */
    private static Object answer(Class<?> type) {
        if (type == long.class) {
            return 0x1234_5678L;
        }
        if (type == int.class) {
            return 7;
        }
        if (type == byte.class) {
            return (byte) 0x5a;
        }
        if (type == boolean.class) {
            return true;
        }
        if (type == List.class) {
            return LIST;
        }
        if (type == PageTableCensus.class) {
            return CENSUS;
        }
        return null;
    }

    private static final List<ReservedRegion> LIST =
            List.of(new ReservedRegion(0x800_0000L, 0x10_0000L, ReservedRegion.Kind.SW_MSI));
    private static final PageTableCensus CENSUS = new PageTableCensus(1, List.of(1L, 2L, 3L), 0, 5, 6 * 4096L);

    private static Object[] arguments(Method m) {
        Class<?>[] types = m.getParameterTypes();
        Object[] args = new Object[types.length];
        for (int i = 0; i < types.length; i++) {
            Class<?> t = types[i];
            args[i] = t == long.class ? 4096L : t == int.class ? 1 : t == byte.class ? (byte) 1
                    : t == boolean.class ? Boolean.FALSE : null;
        }
        return args;
    }
}
