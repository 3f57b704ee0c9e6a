package dev.dsv.remote;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;

/**
 * A failed storage operation, classified as transient (a retry may succeed: timeout, connection
 * reset, HTTP 500 or 503) or permanent (access denied, no such bucket, no space left). The message
 * names the remote, the key and what the storage reported.
 */
public class RemoteStorageException extends DsvException {
    private final boolean transientFailure;

    /**
     * Creates a failure on {@code key} of {@code remote}; {@code detail} is what the storage or the
     * operating system reported, without credentials.
     */
    public RemoteStorageException(String remote, String key, String detail, boolean transientFailure, Throwable cause) {
        super(ExitCode.IO_ERROR, cause, transientFailure ? "error.remote.transient" : "error.remote.failed",
                remote, key, detail);
        this.transientFailure = transientFailure;
    }

    /** Returns true when retrying the same operation may succeed. */
    public boolean isTransient() {
        return transientFailure;
    }
}
