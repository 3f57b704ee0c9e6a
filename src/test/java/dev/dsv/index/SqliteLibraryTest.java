package dev.dsv.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;

/** The cached copy of sqlite-jdbc's native library is the library from the jar, written whole. */
class SqliteLibraryTest {
    @TempDir
    Path tmp;

    @Test
    void copyEqualsTheJarsLibrary() throws Exception {
        Path copy = SqliteLibrary.copyIn(tmp);

        SqliteLibrary.write(copy);

        String resource = LibraryLoaderUtil.getNativeLibResourcePath() + "/" + LibraryLoaderUtil.getNativeLibName();
        try (InputStream in = SQLiteJDBCLoader.class.getResourceAsStream(resource)) {
            assertArrayEquals(in.readAllBytes(), Files.readAllBytes(copy));
        }
        try (Stream<Path> files = Files.list(copy.getParent())) {
            assertEquals(List.of(copy), files.toList(), "no temporary file is left");
        }
    }

    @Test
    void copyIsPerVersionAndPlatform() {
        Path copy = SqliteLibrary.copyIn(tmp);

        assertEquals(tmp, copy.getParent().getParent());
        assertTrue(copy.getParent().getFileName().toString().contains(SQLiteJDBCLoader.getVersion()), copy.toString());
        assertEquals(LibraryLoaderUtil.getNativeLibName(), copy.getFileName().toString());
    }
}
