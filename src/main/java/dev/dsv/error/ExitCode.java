package dev.dsv.error;

/**
 * Process exit codes of dsv. These numbers are a public contract for scripts and CI jobs; they are
 * listed in docs/cli.md and must never be renumbered.
 */
public enum ExitCode {
    OK(0, "ok"),
    CHECK_FAILED(1, "check_failed"),
    USAGE(2, "usage"),
    INVALID_INPUT(3, "invalid_input"),
    NOT_A_REPOSITORY(4, "not_a_repository"),
    UNKNOWN_REVISION(5, "unknown_revision"),
    LOCKED(6, "locked"),
    INTEGRITY(7, "integrity"),
    NEWER_FORMAT(8, "newer_format"),
    NOTHING_TO_COMMIT(9, "nothing_to_commit"),
    IO_ERROR(10, "io_error"),
    CONFLICT(11, "conflict"),
    PROTECTED(12, "protected_branch"),
    INTERNAL(70, "internal");

    private final int code;
    private final String id;

    ExitCode(int code, String id) {
        this.code = code;
        this.id = id;
    }

    /** Returns the numeric process exit code. */
    public int code() {
        return code;
    }

    /** Returns the stable identifier used in JSON error output. */
    public String id() {
        return id;
    }
}
