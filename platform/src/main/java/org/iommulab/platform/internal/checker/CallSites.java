package org.iommulab.platform.internal.checker;

import java.security.ProtectionDomain;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Where a driver called from: the first stack frame that is not the platform's own code, not
 * the API's default methods and not the JDK's, printed as {@code Class.method(File:line)}.
 * The platform's code is recognised by its protection domain (its bundle, or its classes folder
 * in unit tests, whose test classes are then the callers), so it works with any package names.
 * A stack walk allocates, so it is taken only when a finding is raised, or at map time when
 * {@link CheckerSettings#recordMapSites()} asks for it.
 */
public final class CallSites {
    private static final StackWalker WALKER = StackWalker.getInstance(Set.of(StackWalker.Option.RETAIN_CLASS_REFERENCE));
    private static final ProtectionDomain PLATFORM = CallSites.class.getProtectionDomain();
    /** Per class, once: whether its frames are a caller's (not the platform's, the API's or the JDK's). */
    private static final ClassValue<Boolean> OUTSIDE = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> c) {
            return outside(c);
        }
    };
    private static final Function<Stream<StackWalker.StackFrame>, Optional<StackWalker.StackFrame>> FIRST_OUTSIDE =
            s -> s.filter(f -> OUTSIDE.get(f.getDeclaringClass())).findFirst();

    private CallSites() {
    }

    /** The caller's frame, or null when every frame is the platform's (a platform thread). */
    public static StackWalker.StackFrame capture() {
        return WALKER.walk(FIRST_OUTSIDE).orElse(null);
    }

    /** The caller as text, or null. */
    public static String caller() {
        StackWalker.StackFrame f = capture();
        return f == null ? null : describe(f);
    }

    /** A captured frame as text ({@code Class.method(File:line)}), or null for null. */
    public static String describe(Object frame) {
        if (frame == null) {
            return null;
        }
        if (frame instanceof StackWalker.StackFrame) {
            StackWalker.StackFrame f = (StackWalker.StackFrame) frame;
            return f.getClassName() + "." + f.getMethodName() + "(" + f.getFileName() + ":" + f.getLineNumber() + ")";
        }
        return frame.toString();
    }

    private static boolean outside(Class<?> c) {
        String n = c.getName();
        if (n.startsWith("java.") || n.startsWith("jdk.") || n.startsWith("sun.") || n.startsWith("org.iommulab.api.")) {
            return false;
        }
        ProtectionDomain pd = c.getProtectionDomain();
        if (PLATFORM != null && pd != null) {
            return pd != PLATFORM && !sameCode(pd, PLATFORM);
        }
        return !n.startsWith("org.iommulab.platform.");
    }

    private static boolean sameCode(ProtectionDomain a, ProtectionDomain b) {
        return a.getCodeSource() != null && b.getCodeSource() != null
                && a.getCodeSource().getLocation() != null
                && a.getCodeSource().getLocation().equals(b.getCodeSource().getLocation());
    }
}
