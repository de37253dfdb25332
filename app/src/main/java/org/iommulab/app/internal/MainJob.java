package org.iommulab.app.internal;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.Callable;

import org.iommulab.api.admin.PlatformAdmin;
import org.iommulab.api.dma.DmaApi;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The application's main job, run by the bnd launcher of {@code iommulab.jar}.
 *
 * <p>How it plugs into the launcher (biz.aQute.launcher 7.1.0):
 * <ul>
 * <li>The launcher registers a service (as {@code java.lang.Object}) whose property
 * {@code launcher.arguments} is the {@code String[]} given to {@code java -jar}; this
 * component is satisfied only once that service exists, and reads the arguments from it.</li>
 * <li>This component is registered as a {@code java.util.concurrent.Callable} with
 * {@code main.thread=true}. The launcher, once every run bundle is started, calls it on
 * the JVM's main thread, then stops the framework and exits the JVM with the returned
 * {@code Integer} as the process status.</li>
 * </ul>
 * Outside that launcher (Pax Exam, a plain Felix) no {@code launcher.arguments} service
 * exists, so this component stays unsatisfied and does nothing.
 */
@Component(
    service = Callable.class,
    immediate = true,
    property = MainJob.MAIN_THREAD + "=true")
public final class MainJob implements Callable<Integer> {

    /** Service property the bnd launcher looks for on a Runnable/Callable. */
    static final String MAIN_THREAD = "main.thread";
    /** Service property carrying the command line on the launcher's own service. */
    static final String LAUNCHER_ARGUMENTS = "launcher.arguments";

    /** How long to wait for devices to be bound at start and for a DMA API after a swap. */
    static final long WAIT_MILLIS = 10_000;

    private final BundleContext context;
    private final CommandLine commandLine;
    private final PlatformAdmin admin;

    @Activate
    public MainJob(
            BundleContext context,
            @Reference(
                name = "launcher",
                service = Object.class,
                target = "(" + LAUNCHER_ARGUMENTS + "=*)")
            Map<String, Object> launcherProperties,
            @Reference PlatformAdmin admin) {
        this.context = context;
        this.admin = admin;
        this.commandLine = CommandLine.parse(launcherProperties.get(LAUNCHER_ARGUMENTS));
    }

    /** Runs on the launcher's main thread; the result is the process exit status. */
    @Override
    public Integer call() throws Exception {
        if (commandLine.shell()) {
            return new InteractiveShell(context).run();
        }
        awaitBindings();
        return new BatchJob(admin, this::dmaApi, System.out).run();
    }

    /** Backends and devices register as their bundles start; give the platform time to bind them. */
    private void awaitBindings() throws InterruptedException {
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        while (System.currentTimeMillis() < deadline
                && (admin.backends().isEmpty() || admin.devices().stream().anyMatch(d -> d.backend() == null))) {
            Thread.sleep(20);
        }
    }

    /** The DMA API service of {@code device} bound to {@code backend}, waiting for its registration. */
    private DmaApi dmaApi(String device, String backend) {
        String filter = "(&(" + DmaApi.DEVICE_PROPERTY + "=" + device + ")(" + DmaApi.BACKEND_PROPERTY + "=" + backend + "))";
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        try {
            do {
                Collection<ServiceReference<DmaApi>> refs = context.getServiceReferences(DmaApi.class, filter);
                if (!refs.isEmpty()) {
                    return context.getService(refs.iterator().next());
                }
                Thread.sleep(10);
            } while (System.currentTimeMillis() < deadline);
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException("bad device or backend name in filter " + filter, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return null;
    }
}
