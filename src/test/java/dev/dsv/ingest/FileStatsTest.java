package dev.dsv.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fast stat reader agrees with the public attribute views, and ctime shows an edit that mtime hides. */
class FileStatsTest {
    @TempDir
    Path tmp;

    @Test
    void fastReaderIsUsedInTests() {
        assertTrue(FileStats.readsJdkAttributes(), "surefire opens sun.nio.fs as scripts/dsv does");
    }

    @Test
    void fastAndPortableReadersAgree() throws Exception {
        Path file = Files.writeString(tmp.resolve("a.png"), "12345");
        Path link = Files.createSymbolicLink(tmp.resolve("link.png"), file);

        assertEquals(FileStats.readPortable(file), FileStats.read(file));
        assertEquals(FileStats.readPortable(tmp), FileStats.read(tmp));
        assertEquals(FileStats.readPortable(link, LinkOption.NOFOLLOW_LINKS), FileStats.read(link, LinkOption.NOFOLLOW_LINKS));
        assertEquals(FileStats.readPortable(link), FileStats.read(link));
    }

    @Test
    void statOfFileLinkAndFolder() throws Exception {
        Path file = Files.writeString(tmp.resolve("a.png"), "12345");
        Path link = Files.createSymbolicLink(tmp.resolve("link.png"), file);

        FileStats.Stat s = FileStats.read(file);
        assertTrue(s.isRegularFile());
        assertEquals(5, s.size());
        assertEquals(Files.getLastModifiedTime(file).to(java.util.concurrent.TimeUnit.NANOSECONDS), s.mtimeNanos());
        assertEquals(Files.getAttribute(file, "unix:ino"), s.inode());
        assertTrue(FileStats.read(link, LinkOption.NOFOLLOW_LINKS).isSymbolicLink());
        assertEquals(s, FileStats.read(link), "a followed link has its target's stat");
        assertTrue(FileStats.read(tmp).isDirectory());
    }

    @Test
    void ctimeMovesWhenMtimeIsSetBack() throws Exception {
        Path file = Files.writeString(tmp.resolve("a.png"), "12345");
        FileTime old = FileTime.from(Instant.now().minusSeconds(3600));
        Files.setLastModifiedTime(file, old);
        FileStats.Stat before = FileStats.read(file);
        Thread.sleep(20);

        Files.writeString(file, "54321");
        Files.setLastModifiedTime(file, old);
        FileStats.Stat after = FileStats.read(file);

        assertEquals(before.size(), after.size());
        assertEquals(before.mtimeNanos(), after.mtimeNanos());
        assertNotEquals(before.ctimeNanos(), after.ctimeNanos());
    }
}
