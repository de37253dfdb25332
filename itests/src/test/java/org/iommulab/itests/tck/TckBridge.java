package org.iommulab.itests.tck;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * The TCK bundle's public API, called from the test JVM by reflection: the bundle's classes
 * (and the API's) are the container's, not the test class path's, so only JDK and
 * {@code org.osgi.framework} types cross over. Mirrors {@code Tck.inFramework}, {@code checks},
 * {@code backends} and {@code run}.
 */
final class TckBridge {
    /** One result, in JDK types. */
    static final class Result {
        final String status;
        final String reason;
        final Throwable failure;
        final String line;

        Result(String status, String reason, Throwable failure, String line) {
            this.status = status;
            this.reason = reason;
            this.failure = failure;
            this.line = line;
        }
    }

    private final Object tck;
    private final Class<?> tckClass;
    private final Class<?> checkClass;
    private final Class<?> resultClass;
    private final List<Object> checks = new ArrayList<>();
    private final List<String> ids = new ArrayList<>();

    TckBridge(Bundle tckBundle) throws Exception {
        tckClass = tckBundle.loadClass("org.iommulab.tck.Tck");
        checkClass = tckBundle.loadClass("org.iommulab.tck.Check");
        resultClass = tckBundle.loadClass("org.iommulab.tck.CheckResult");
        tck = call(tckClass.getMethod("inFramework", BundleContext.class), null, tckBundle.getBundleContext());
        for (Object c : (List<?>) call(tckClass.getMethod("checks"), null)) {
            checks.add(c);
            ids.add((String) call(checkClass.getMethod("id"), c));
        }
    }

    /** Every check's id, in run order. */
    List<String> checks() {
        return ids;
    }

    /** The backends registered now, best first. */
    @SuppressWarnings("unchecked")
    List<String> backends() throws Exception {
        return new ArrayList<>((List<String>) call(tckClass.getMethod("backends"), tck));
    }

    Result run(String check, String backend) throws Exception {
        Object c = checks.get(ids.indexOf(check));
        Object r = call(tckClass.getMethod("run", checkClass, String.class), tck, c, backend);
        return new Result(call(resultClass.getMethod("status"), r).toString(),
                (String) call(resultClass.getMethod("reason"), r), (Throwable) call(resultClass.getMethod("failure"), r),
                r.toString());
    }

    private static Object call(Method m, Object target, Object... args) throws Exception {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception) {
                throw (Exception) cause;
            }
            throw e;
        }
    }
}
