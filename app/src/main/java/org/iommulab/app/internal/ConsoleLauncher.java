package org.iommulab.app.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.iommulab.app.internal.console.ConsolePassword;

/**
 * {@code java -jar iommulab.jar --console [PORT]}: checks that the user set a password (the
 * console does not start without one), then runs the console's own exported run,
 * {@code console.jar} beside {@code iommulab.jar}, as a child process on the same terminal, with
 * Jetty told to listen on 127.0.0.1:PORT only, and returns its exit status. The password reaches
 * the child the way it came (the environment, or the file's name), never on a command line.
 */
final class ConsoleLauncher {
    static final int DEFAULT_PORT = 8080;
    static final String JAR = "console.jar";

    private ConsoleLauncher() {
    }

    static int launch(int port, String passwordFile, Map<String, String> env, PrintStream err) throws InterruptedException {
        try {
            ConsolePassword.resolve(passwordFile, env);
        } catch (IllegalArgumentException e) {
            err.println("iommulab: the console does not start: " + e.getMessage());
            return BatchJob.BAD_INPUT;
        }
        Path console = consoleJar();
        if (console == null) {
            err.println("iommulab: the console does not start: no " + JAR + " beside the running iommulab.jar ("
                    + System.getProperty("java.class.path") + "); build it with mvn package");
            return BatchJob.FAILED;
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Dorg.osgi.service.http.port=" + port);
        cmd.add("-Dorg.apache.felix.http.host=127.0.0.1");
        cmd.add("-jar");
        cmd.add(console.toString());
        cmd.add("--console");
        cmd.add(Integer.toString(port));
        if (passwordFile != null) {
            cmd.add("--console-password-file");
            cmd.add(Path.of(passwordFile).toAbsolutePath().toString());
        }
        Process child;
        try {
            child = new ProcessBuilder(cmd).inheritIO().start();
        } catch (IOException e) {
            err.println("iommulab: the console does not start: " + e.getMessage());
            return BatchJob.FAILED;
        }
        Thread stop = new Thread(child::destroy, "iommulab-console-stop");
        Runtime.getRuntime().addShutdownHook(stop);
        try {
            return child.waitFor();
        } finally {
            child.destroy();
            try {
                Runtime.getRuntime().removeShutdownHook(stop);
            } catch (IllegalStateException shuttingDown) {
                // The hook runs anyway.
            }
        }
    }

    /** console.jar beside the jar this JVM runs ({@code java -jar} puts only that jar on the class path), or null. */
    private static Path consoleJar() {
        try {
            Path self = Path.of(System.getProperty("java.class.path", "")).toAbsolutePath();
            Path console = self.resolveSibling(JAR);
            return Files.isRegularFile(console) ? console : null;
        } catch (InvalidPathException e) {
            return null;
        }
    }
}
