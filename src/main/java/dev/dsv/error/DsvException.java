package dev.dsv.error;

import java.util.Arrays;
import java.util.List;

/**
 * A failure the user can fix. It carries an exit code and a message key with arguments; the CLI
 * formats the key through the resource bundle, so the core never builds user-facing text.
 * {@link #getMessage()} returns an English fallback made of the key and arguments, for logs and
 * tests.
 */
public class DsvException extends RuntimeException {
    private final ExitCode exitCode;
    private final String messageKey;
    private final Object[] arguments;
    private List<Problem> problems = List.of();

    public DsvException(ExitCode exitCode, String messageKey, Object... arguments) {
        this(exitCode, null, messageKey, arguments);
    }

    public DsvException(ExitCode exitCode, Throwable cause, String messageKey, Object... arguments) {
        super(messageKey + " " + Arrays.toString(arguments), cause);
        this.exitCode = exitCode;
        this.messageKey = messageKey;
        this.arguments = arguments.clone();
    }

    public ExitCode exitCode() {
        return exitCode;
    }

    public String messageKey() {
        return messageKey;
    }

    public Object[] arguments() {
        return arguments.clone();
    }

    /** Returns the individual problems behind this failure, in input order; often empty. */
    public List<Problem> problems() {
        return problems;
    }

    /** Attaches the individual problems that caused this failure and returns this exception. */
    public DsvException withProblems(List<Problem> details) {
        this.problems = List.copyOf(details);
        return this;
    }
}
