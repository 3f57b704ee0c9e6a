package dev.dsv.cli;

import java.util.Map;

/**
 * The output capabilities where dsv runs: a rewritten progress line and colour, both only on an
 * interactive terminal. A terminal is interactive when the JVM has a console and the environment
 * does not say CI ({@code CI} set to anything but {@code false} or empty). Colour also needs
 * {@code NO_COLOR} unset or empty, {@code TERM} other than {@code dumb}, and no {@code --no-color}.
 * {@code --quiet} turns progress off everywhere.
 */
record Terminal(boolean interactive, boolean ci, boolean colour, boolean quiet) {
    static final String RED = "\u001b[31m";
    static final String GREEN = "\u001b[32m";
    static final String YELLOW = "\u001b[33m";
    static final String BOLD = "\u001b[1m";
    static final String RESET = "\u001b[0m";

    /** Decides from the console's presence, the environment and the two options. */
    static Terminal of(boolean console, Map<String, String> env, boolean noColour, boolean quiet) {
        String ciValue = env.getOrDefault("CI", "");
        boolean ci = !ciValue.isEmpty() && !ciValue.equalsIgnoreCase("false");
        boolean interactive = console && !ci;
        boolean colour = interactive && !noColour && env.getOrDefault("NO_COLOR", "").isEmpty()
                && !"dumb".equals(env.getOrDefault("TERM", ""));
        return new Terminal(interactive, ci, colour, quiet);
    }

    /**
     * Returns the terminal of this process. The JVM's console means stdin and stdout are a
     * terminal; whether stderr is one only the launcher knows, and it passes that on as the system
     * property {@code dsv.stderr.tty} (a run without the launcher trusts the console alone).
     */
    static Terminal current(boolean noColour, boolean quiet) {
        boolean stderrTty = !"false".equals(System.getProperty("dsv.stderr.tty"));
        return of(System.console() != null && stderrTty, System.getenv(), noColour, quiet);
    }

    /** Wraps text in a colour code when colour is on. */
    String paint(String code, String text) {
        return colour ? code + text + RESET : text;
    }
}
