package dev.dsv.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;

class SqliteNativeLibraryTest {
    @TempDir
    Path cache;

    private static byte[] jarCopy() throws Exception {
        String resource = LibraryLoaderUtil.getNativeLibResourcePath() + "/" + LibraryLoaderUtil.getNativeLibName();
        try (InputStream in = SQLiteJDBCLoader.class.getResourceAsStream(resource)) {
            assertNotNull(in, "sqlite-jdbc has a native library for this platform");
            return in.readAllBytes();
        }
    }

    @Test
    void cachedCopyEqualsJarLibrary() throws Exception {
        Path folder = SqliteNativeLibrary.cachedCopy(cache);

        assertNotNull(folder);
        assertEquals(cache, folder.getParent());
        assertArrayEquals(jarCopy(), Files.readAllBytes(folder.resolve(LibraryLoaderUtil.getNativeLibName())));
        try (Stream<Path> files = Files.list(folder)) {
            assertEquals(List.of(folder.resolve(LibraryLoaderUtil.getNativeLibName())), files.toList(),
                    "no temporary file is left");
        }
    }

    @Test
    void cachedCopyIsReusedUnchanged() throws Exception {
        Path file = SqliteNativeLibrary.cachedCopy(cache).resolve(LibraryLoaderUtil.getNativeLibName());
        FileTime old = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(file, old);

        Path again = SqliteNativeLibrary.cachedCopy(cache);

        assertEquals(file, again.resolve(LibraryLoaderUtil.getNativeLibName()));
        assertEquals(old, Files.getLastModifiedTime(file), "a matching copy is not written again");
    }

    @Test
    void damagedCopyIsWrittenAgain() throws Exception {
        Path file = SqliteNativeLibrary.cachedCopy(cache).resolve(LibraryLoaderUtil.getNativeLibName());
        byte[] damaged = Files.readAllBytes(file);
        damaged[damaged.length / 2] ^= 1;
        Files.write(file, damaged);

        SqliteNativeLibrary.cachedCopy(cache);

        assertArrayEquals(jarCopy(), Files.readAllBytes(file));
    }

    @Test
    void truncatedCopyIsWrittenAgain() throws Exception {
        Path file = SqliteNativeLibrary.cachedCopy(cache).resolve(LibraryLoaderUtil.getNativeLibName());
        Files.write(file, new byte[100]);

        SqliteNativeLibrary.cachedCopy(cache);

        assertArrayEquals(jarCopy(), Files.readAllBytes(file));
    }

    @Test
    void checkedCopyLoads() {
        Path folder = SqliteNativeLibrary.cachedCopy(cache);

        assertTrue(SqliteNativeLibrary.loads(folder.resolve(LibraryLoaderUtil.getNativeLibName())));
    }

    @Test
    void fileThatIsNoLibraryDoesNotLoad() throws Exception {
        Path file = Files.write(cache.resolve(LibraryLoaderUtil.getNativeLibName()), new byte[] {1, 2, 3, 4});

        assertFalse(SqliteNativeLibrary.loads(file));
    }

    @Test
    void copyOnNoexecMountDoesNotLoad() throws Exception {
        Path mount = Files.createDirectory(cache.resolve("noexec"));
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "noexec,size=16m", "tmpfs", mount.toString())
                .redirectErrorStream(true).start();
        assumeTrue(p.waitFor() == 0, "mounting a noexec tmpfs needs root: " + new String(p.getInputStream().readAllBytes()));
        try {
            Path folder = SqliteNativeLibrary.cachedCopy(mount);

            assertNotNull(folder, "the copy is written; only mapping it fails");
            assertFalse(SqliteNativeLibrary.loads(folder.resolve(LibraryLoaderUtil.getNativeLibName())));
        } finally {
            new ProcessBuilder("umount", mount.toString()).start().waitFor();
        }
    }
}
