package org.iommulab.app.internal;

import java.io.IOException;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.apache.felix.gogo.jline.Builtin;
import org.apache.felix.gogo.jline.Converters;
import org.apache.felix.gogo.jline.Posix;
import org.apache.felix.gogo.jline.Procedural;
import org.apache.felix.gogo.jline.Shell;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.apache.felix.service.command.Descriptor;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The Gogo shell of gogo.jline (completion on Tab, history on the arrow keys and in
 * {@code ~/.gogo.history}, line editing) on the process's terminal, for {@code --shell}.
 *
 * <p>gogo.jline's classes are carried in this bundle (see {@code app/bnd.bnd}): this class does
 * what its activator would, only when asked: registers its commands (scope {@code gogo}: the
 * shell's builtins, procedural and POSIX-like commands, {@code gosh}) and its converters,
 * builds a JLine terminal on stdin/stdout, and runs {@code gosh --login} there (the profile
 * gogo.jline ships, with its completions). The shell ends, and with it the run (exit status 0),
 * when the user types {@code exit} (a command this class adds: Gogo has none) or ends the input
 * (Ctrl-D, or the end of a pipe); the launcher then stops the framework.
 */
final class InteractiveShell {

    private static final long WAIT_MILLIS = 10_000;

    private final BundleContext context;

    InteractiveShell(BundleContext context) {
        this.context = context;
    }

    /** The {@code exit} command: ends the shell, and so the run, with status 0. */
    public static final class Exit {
        private final CountDownLatch done;

        Exit(CountDownLatch done) {
            this.done = done;
        }

        @Descriptor("leave the shell and stop iommulab (exit status 0)")
        public void exit() {
            done.countDown();
        }
    }

    /** @return the process exit status */
    int run() throws Exception {
        ServiceTracker<CommandProcessor, CommandProcessor> processors =
            new ServiceTracker<>(context, CommandProcessor.class, null);
        processors.open();
        CountDownLatch done = new CountDownLatch(1);
        List<ServiceRegistration<?>> registrations = new ArrayList<>();
        try (Terminal terminal = systemTerminal()) {
            CommandProcessor processor = processors.waitForService(WAIT_MILLIS);
            if (processor == null) {
                System.err.println("iommulab: the Gogo runtime is not available");
                return 2;
            }
            Shell.Context shellContext = new Shell.Context() {
                @Override
                public String getProperty(String name) {
                    return context.getProperty(name);
                }

                /** gosh without --noshutdown calls this when its console ends (Ctrl-D). */
                @Override
                public void exit() {
                    done.countDown();
                }
            };
            Shell shell = new Shell(shellContext, processor);
            registrations.add(context.registerService(Converter.class.getName(),
                    new Converters(context.getBundle(0).getBundleContext()), scope("gogo")));
            registrations.add(register(new Builtin(), "gogo", functions(Builtin.class)));
            registrations.add(register(new Procedural(), "gogo", functions(Procedural.class)));
            registrations.add(register(new Posix(processor), "gogo", functions(Posix.class)));
            registrations.add(register(shell, "gogo", functions(Shell.class)));
            registrations.add(register(new Exit(done), "iommu", new String[] {"exit"}));

            CommandSession session = processor.createSession(terminal.input(), terminal.output(), terminal.output());
            session.put(Shell.VAR_TERMINAL, terminal);
            Thread console = new Thread(() -> {
                try {
                    shell.gosh(session, new String[] {"--login"});
                } catch (Exception e) {
                    System.err.println("iommulab: shell: " + e);
                } finally {
                    done.countDown();
                }
            }, "iommulab shell");
            console.setDaemon(true);
            console.start();
            done.await();
            shell.stop();
            session.close();
            return 0;
        } catch (IOException e) {
            System.err.println("iommulab: no terminal for the shell: " + e);
            return 2;
        } finally {
            for (ServiceRegistration<?> r : registrations) {
                r.unregister();
            }
            processors.close();
        }
    }

    /**
     * The process's terminal. JLine finds its terminal providers (exec, JNI) as resources through
     * the thread's context class loader, which in the framework is the launcher's and does not see
     * them; without them it falls back to a dumb terminal, with no completion or history keys.
     */
    private static Terminal systemTerminal() throws IOException {
        Thread t = Thread.currentThread();
        ClassLoader before = t.getContextClassLoader();
        t.setContextClassLoader(TerminalBuilder.class.getClassLoader());
        try {
            return TerminalBuilder.builder().name("iommulab").system(true).build();
        } finally {
            t.setContextClassLoader(before);
        }
    }

    private ServiceRegistration<?> register(Object commands, String scope, String[] functions) {
        Dictionary<String, Object> props = scope(scope);
        props.put(CommandProcessor.COMMAND_FUNCTION, functions);
        return context.registerService(commands.getClass().getName(), commands, props);
    }

    private static Dictionary<String, Object> scope(String scope) {
        Dictionary<String, Object> props = new Hashtable<>();
        props.put(CommandProcessor.COMMAND_SCOPE, scope);
        return props;
    }

    /**
     * The command names a gogo.jline class declares in its package-private {@code functions}
     * field, which its own activator registers it under.
     */
    private static String[] functions(Class<?> commands) throws ReflectiveOperationException {
        Field f = commands.getDeclaredField("functions");
        f.setAccessible(true);
        return (String[]) f.get(null);
    }
}
