package dev.dsv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.TinyPng;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.commons.codec.digest.DigestUtils;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The add reads the first MiB of each file in one request and streams the rest. Files below,
 * near and above that size are stored whole, and the check still reads the end of a large file.
 */
class AddReadTest {
    /** The bytes that {@code AddService} reads before the check. */
    private static final int START_BYTES = 1 << 20;

    @TempDir
    Path tmp;

    Path library;
    Path batch;

    @BeforeEach
    void setUp() {
        library = tmp.resolve("lib");
        assertEquals(0, Dsv.run(tmp, "init", "lib").exitCode());
        assertEquals(0, Dsv.run(library, "switch", "-c", "work").exitCode());
        batch = tmp.resolve("batch");
    }

    private CliResult run(String... args) {
        return Dsv.run(library, args);
    }

    private CliResult add() {
        return run("add", batch.toString(), "--cell-type", "mono", "--source", "production", "--labeler", "lab-01");
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Files.createDirectories(batch);
        return Files.write(batch.resolve(name), bytes);
    }

    @Test
    void filesAroundStartSizeStoredWhole() throws IOException {
        // Random pixels do not compress, so a PNG is a little larger than width x height bytes.
        byte[] small = TinyPng.encode(64, 64, 1);
        byte[] near = TinyPng.encode(1020, 1024, 2);
        byte[] over = TinyPng.encode(1024, 1024, 3);
        byte[] large = TinyPng.encode(1500, 1500, 4);
        assertTrue(near.length < START_BYTES, "near: " + near.length);
        assertTrue(near.length > START_BYTES - 8192, "near: " + near.length);
        assertTrue(over.length > START_BYTES, "over: " + over.length);
        assertTrue(over.length < START_BYTES + 8192, "over: " + over.length);
        assertTrue(large.length > 2 * START_BYTES, "large: " + large.length);
        Path[] files = {write("small.png", small), write("near.png", near), write("over.png", over),
            write("large.png", large)};

        CliResult added = add();

        assertEquals(0, added.exitCode(), added.toString());
        assertEquals(0, run("commit", "-m", "sizes").exitCode());
        for (Path file : files) {
            CliResult shown = run("--json", "show", "HEAD:batch/" + file.getFileName());
            assertEquals(0, shown.exitCode(), shown.toString());
            assertEquals(DigestUtils.sha256Hex(Files.readAllBytes(file)),
                    shown.json().path("image").path("sha256").asText(), file.toString());
        }
        CliResult fsck = run("--json", "fsck");
        assertTrue(fsck.json().path("ok").asBoolean(), fsck.toString());
    }

    @Test
    void largeFileCutInTailRejected() throws IOException {
        byte[] large = TinyPng.encode(1500, 1500, 5);
        // The cut falls inside the 8-byte header of IEND, the last chunk, 2 MiB past the start.
        write("cut.png", Arrays.copyOf(large, large.length - 6));

        CliResult added = add();

        assertEquals(3, added.exitCode(), added.toString());
        assertTrue(added.err().contains("cut.png is truncated"), added.toString());
        assertTrue(added.err().contains("PNG chunk header at byte " + (large.length - 12)), added.toString());
    }
}
