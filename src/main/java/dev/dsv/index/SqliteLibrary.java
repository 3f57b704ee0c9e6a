package dev.dsv.index;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;

/**
 * Loads sqlite-jdbc's native library from a copy in dsv's cache folder. Left to itself, sqlite-jdbc
 * (3.54) runs {@code uname -o} in a child process, extracts the library from its jar into the
 * temporary folder under a new name, reads both back to compare them and then loads it, on every
 * start: 0.05-0.08 CPU s of {@code dsv ls} on a 2-core machine at load 7 (docs/benchmarks.md,
 * "Re-adds of large folders"). When the system
 * property {@code dsv.cache.dir} names a folder (scripts/dsv passes its cache folder), the first
 * command copies the library there, and later ones point sqlite-jdbc at the copy through its
 * {@code org.sqlite.lib.path} and {@code org.sqlite.lib.name} properties. If the copy cannot be
 * loaded, sqlite-jdbc goes on to its own extraction, so a bad copy costs time only.
 */
final class SqliteLibrary {
    /** The copy still to write once sqlite-jdbc has loaded its library, or null. */
    private static Path pending;
    private static boolean prepared;

    private SqliteLibrary() {
    }

    /** Sets sqlite-jdbc's library properties to the cached copy when there is one. Call before the first connection. */
    static synchronized void prepare() {
        if (prepared) {
            return;
        }
        prepared = true;
        String cache = System.getProperty("dsv.cache.dir");
        if (cache == null || cache.isEmpty() || System.getProperty("org.sqlite.lib.path") != null) {
            return;
        }
        Path copy = copyIn(Path.of(cache));
        if (Files.isRegularFile(copy)) {
            System.setProperty("org.sqlite.lib.path", copy.getParent().toString());
            System.setProperty("org.sqlite.lib.name", copy.getFileName().toString());
        } else {
            pending = copy;
        }
    }

    /** Writes the cached copy after sqlite-jdbc loaded the library the slow way. Call after a connection opened. */
    static synchronized void afterLoad() {
        if (pending != null) {
            Path copy = pending;
            pending = null;
            write(copy);
        }
    }

    /**
     * Returns where the copy for this sqlite-jdbc version, operating system and architecture goes.
     * A new sqlite-jdbc version gets a copy of its own.
     */
    static Path copyIn(Path cacheDir) {
        String folder = "sqlite-jdbc-" + SQLiteJDBCLoader.getVersion() + "-" + System.getProperty("os.name") + "-"
                + System.getProperty("os.arch");
        return cacheDir.resolve(folder.replaceAll("[^A-Za-z0-9._-]", "_")).resolve(LibraryLoaderUtil.getNativeLibName());
    }

    /**
     * Writes the library that sqlite-jdbc would extract to {@code copy}: under a temporary name,
     * compared with the resource, then renamed, so that no command loads a partial copy. Failures
     * leave no copy behind; the next command tries again.
     */
    static void write(Path copy) {
        String resource = LibraryLoaderUtil.getNativeLibResourcePath() + "/" + LibraryLoaderUtil.getNativeLibName();
        Path temporary = null;
        try (InputStream in = SQLiteJDBCLoader.class.getResourceAsStream(resource)) {
            if (in == null) {
                return;
            }
            byte[] library = in.readAllBytes();
            Files.createDirectories(copy.getParent());
            temporary = Files.createTempFile(copy.getParent(), "library", ".tmp");
            Files.write(temporary, library);
            if (!Arrays.equals(library, Files.readAllBytes(temporary))) {
                return;
            }
            Files.move(temporary, copy, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            temporary = null;
        } catch (IOException | RuntimeException e) {
            // A cache: without the copy the next command loads the library the slow way again.
        } finally {
            if (temporary != null) {
                try {
                    Files.deleteIfExists(temporary);
                } catch (IOException ignored) {
                    // Nothing more to undo.
                }
            }
        }
    }
}
