package dev.dsv.index;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.jar.JarEntry;
import java.util.zip.CRC32;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;

/**
 * Keeps one copy of sqlite-jdbc's native library in dsv's cache folder and points the driver at it.
 *
 * <p>Without this, sqlite-jdbc writes its library out of the jar to a new file in the temporary
 * folder on every start and compares it with the jar's copy byte by byte. That took about 0.07 of
 * the 0.49 CPU s of {@code dsv ls --summary} on ELPV (sqlite-jdbc 3.54, 2-core VM). The copy lives in
 * {@code CACHE/sqlite-VERSION-CRC/}, named by the sqlite-jdbc version and the CRC-32 that the jar
 * records for the library. Each start checks the copy's size and CRC-32 against the jar's entry
 * before using it, and a copy is written under a temporary name and renamed into place, so
 * concurrent commands never load a partly written file. When anything fails, the driver is left to
 * extract the library itself, as it does without a cache folder.
 */
public final class SqliteNativeLibrary {
    /** The system property that names dsv's cache folder, set by bin/dsv. */
    static final String CACHE_PROPERTY = "dsv.cache.dir";

    private static boolean prepared;

    private SqliteNativeLibrary() {
    }

    /**
     * Sets {@code org.sqlite.lib.path} to the cached copy, once per JVM, before the driver loads
     * its library. Does nothing without {@code dsv.cache.dir} or when {@code org.sqlite.lib.path}
     * is already set.
     */
    public static synchronized void prepare() {
        if (prepared) {
            return;
        }
        prepared = true;
        String cache = System.getProperty(CACHE_PROPERTY);
        if (cache == null || cache.isEmpty() || System.getProperty("org.sqlite.lib.path") != null) {
            return;
        }
        Path folder = cachedCopy(Path.of(cache));
        if (folder != null && loads(folder.resolve(LibraryLoaderUtil.getNativeLibName()))) {
            System.setProperty("org.sqlite.lib.path", folder.toString());
            System.setProperty("org.sqlite.lib.name", LibraryLoaderUtil.getNativeLibName());
        }
    }

    /**
     * Loads the copy into this JVM and returns whether that worked. A valid copy in a cache folder
     * on a file system mounted {@code noexec} cannot be mapped. The driver would log that failure
     * with a stack trace on every command before extracting its own copy, so such a copy is not
     * handed to it. The driver's own load of the same file later finds it loaded.
     */
    static boolean loads(Path library) {
        try {
            System.load(library.toAbsolutePath().toString());
            return true;
        } catch (UnsatisfiedLinkError | SecurityException e) {
            return false;
        }
    }

    /**
     * Returns the folder of a checked copy of the native library for this platform in {@code cache},
     * writing it first when it is missing or differs from the jar's. Returns null when the jar has
     * no library for this platform or the copy cannot be read or written.
     */
    static Path cachedCopy(Path cache) {
        String name = LibraryLoaderUtil.getNativeLibName();
        URL url = SQLiteJDBCLoader.class.getResource(LibraryLoaderUtil.getNativeLibResourcePath() + "/" + name);
        if (url == null) {
            return null;
        }
        try {
            URLConnection connection = url.openConnection();
            if (!(connection instanceof JarURLConnection jar)) {
                return null;
            }
            JarEntry entry = jar.getJarEntry();
            long size = entry.getSize();
            long crc = entry.getCrc();
            if (size < 0 || crc < 0) {
                return null;
            }
            Path folder = cache.resolve("sqlite-" + SQLiteJDBCLoader.getVersion() + "-" + String.format("%08x", crc));
            Path file = folder.resolve(name);
            if (matches(file, size, crc)) {
                return folder;
            }
            Files.createDirectories(folder);
            Path tmp = Files.createTempFile(folder, name, ".tmp");
            try {
                long written;
                CRC32 check = new CRC32();
                try (InputStream in = connection.getInputStream(); OutputStream out = Files.newOutputStream(tmp)) {
                    written = copy(in, out, check);
                }
                if (written != size || check.getValue() != crc) {
                    return null;
                }
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return folder;
        } catch (IOException | RuntimeException e) {
            // The driver extracts the library itself, as it does without a cache folder.
            return null;
        }
    }

    /** Returns true when {@code file} exists with the given size and CRC-32. */
    private static boolean matches(Path file, long size, long crc) throws IOException {
        if (!Files.isRegularFile(file) || Files.size(file) != size) {
            return false;
        }
        CRC32 check = new CRC32();
        try (InputStream in = Files.newInputStream(file)) {
            copy(in, OutputStream.nullOutputStream(), check);
        }
        return check.getValue() == crc;
    }

    private static long copy(InputStream in, OutputStream out, CRC32 check) throws IOException {
        byte[] buffer = new byte[1 << 16];
        long total = 0;
        for (int n; (n = in.read(buffer)) > 0; ) {
            check.update(buffer, 0, n);
            out.write(buffer, 0, n);
            total += n;
        }
        return total;
    }
}
