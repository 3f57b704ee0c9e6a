package dev.dsv.store;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;

/**
 * An I/O failure of a store, classified as permanent (retrying cannot help: no space, no
 * permission, read-only file system) or transient (may succeed on retry).
 */
public final class StoreIOException extends DsvException {
    private final boolean permanent;

    private StoreIOException(IOException cause, Path path, boolean permanent) {
        super(ExitCode.IO_ERROR, cause, "error.io", path, describe(cause));
        this.permanent = permanent;
    }

    /** Wraps an I/O error on {@code path} and classifies it. */
    public static StoreIOException of(Path path, IOException cause) {
        return new StoreIOException(cause, path, isPermanent(cause));
    }

    public boolean isPermanent() {
        return permanent;
    }

    static boolean isPermanent(IOException e) {
        if (e instanceof AccessDeniedException) {
            return true;
        }
        String text = e.getMessage() == null ? "" : e.getMessage();
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            text = fse.getReason();
        }
        return text.contains("No space left") || text.contains("Read-only file system")
                || text.contains("Disk quota exceeded") || text.contains("Permission denied");
    }

    private static String describe(IOException e) {
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
