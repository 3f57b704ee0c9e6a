package dev.dsv.error;

/** An object that is missing or whose bytes do not hash to its id. */
public final class IntegrityException extends DsvException {
    public IntegrityException(String messageKey, Object... arguments) {
        super(ExitCode.INTEGRITY, messageKey, arguments);
    }
}
