package dev.dsv.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pack indexes a push uploads stay in the clone's cache, so the next push reads none back. */
class PushIndexCacheTest {
    @TempDir
    Path tmp;

    @Test
    void pushCachesUploadedIndexes() throws IOException {
        Path library = tmp.resolve("library");
        Path remote = tmp.resolve("remote");
        run(tmp, "init", "library");
        run(library, "switch", "-c", "batch-a");
        RemoteFlowTest.addBatch(tmp, library, "batch-a", 0, 4);
        run(library, "commit", "-m", "batch a");
        run(library, "remote", "add", "origin", remote.toString());
        run(library, "push");

        List<Path> uploaded;
        try (Stream<Path> files = Files.list(remote.resolve("packs"))) {
            uploaded = files.filter(f -> f.getFileName().toString().endsWith(".idx")).toList();
        }
        assertFalse(uploaded.isEmpty(), "the push uploaded no pack index");
        Path cache = library.resolve(".dsv/remotes/origin/idx");
        for (Path index : uploaded) {
            Path cached = cache.resolve(index.getFileName());
            assertTrue(Files.exists(cached), "no cached copy of the uploaded " + index.getFileName());
            assertArrayEquals(Files.readAllBytes(index), Files.readAllBytes(cached), cached.toString());
        }
    }

    private static void run(Path dir, String... args) {
        CliResult r = Dsv.run(dir, args);
        assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r);
    }
}
