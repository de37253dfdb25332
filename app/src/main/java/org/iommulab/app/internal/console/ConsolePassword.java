package org.iommulab.app.internal.console;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The console's password, as the user set it: the environment variable
 * {@value #ENV} or the first line of the file given with {@code --console-password-file}.
 * There is no default: without one the console does not start.
 */
public final class ConsolePassword {
    /** The environment variable holding the password. */
    public static final String ENV = "IOMMULAB_CONSOLE_PASSWORD";
    /** The user name the browser logs in with. */
    public static final String USER = "iommulab";
    /** Shorter passwords are refused: a console that swaps devices deserves more than a PIN. */
    static final int MIN_LENGTH = 8;

    private ConsolePassword() {
    }

    /**
     * The password from {@code file} when given, else from the environment.
     *
     * @throws IllegalArgumentException saying what is missing or wrong, when there is no usable password
     */
    public static String resolve(String file, Map<String, String> env) {
        String password;
        if (file != null) {
            try {
                String text = Files.readString(Path.of(file), StandardCharsets.UTF_8);
                int nl = text.indexOf('\n');
                password = (nl < 0 ? text : text.substring(0, nl)).strip();
            } catch (IOException | InvalidPathException e) {
                throw new IllegalArgumentException("--console-password-file " + file + ": cannot be read: " + e.getMessage());
            }
        } else {
            password = env.get(ENV);
        }
        if (password == null || password.isEmpty()) {
            throw new IllegalArgumentException("the console needs a password and has none: set " + ENV
                    + " or give --console-password-file FILE (there is no default password)");
        }
        if (password.length() < MIN_LENGTH) {
            throw new IllegalArgumentException("the console password is shorter than " + MIN_LENGTH + " characters");
        }
        return password;
    }
}
