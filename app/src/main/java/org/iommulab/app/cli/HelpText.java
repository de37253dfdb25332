package org.iommulab.app.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The whole help ({@link Cli#usage()}) rendered once at build time into
 * {@value #RESOURCE} (the build runs {@link #main} after compiling; {@code CliTest} checks the
 * file equals the model's rendering), so that {@code java -jar iommulab.jar --help} prints it
 * without loading and verifying picocli's classes: the JVM's start is then most of its time.
 */
public final class HelpText {
    static final String RESOURCE = "iommulab-help.txt";

    private HelpText() {
    }

    /** Writes the help into the folder {@code args[0]} (target/classes). */
    public static void main(String[] args) throws IOException {
        Files.writeString(Path.of(args[0], RESOURCE), Cli.usage(), StandardCharsets.UTF_8);
    }

    /** The help rendered at build time, or null when this build has none (then picocli renders it). */
    static String cached() {
        try (InputStream in = HelpText.class.getResourceAsStream("/" + RESOURCE)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }
}
