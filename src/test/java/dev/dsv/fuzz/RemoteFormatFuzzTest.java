package dev.dsv.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzz targets for what a directory remote serves: its refs, its format and configuration files, and
 * its packs and pack indexes. The world is the fuzz library pushed to a remote and a clone of that
 * remote; each input changes one remote file and runs {@code dsv fetch} and {@code dsv pull} in the
 * clone, which must succeed or fail with a user error and leave the clone unchanged.
 *
 * <p>Pack and pack-index inputs are edits, not whole files, because the files differ from run to run
 * (commit times): each group of three bytes XORs the byte at a 16-bit position (modulo the length)
 * with the third byte, and a last lone byte cuts the file to that many 256ths of its length.
 */
class RemoteFormatFuzzTest {
    private static FuzzLibrary lib;

    @BeforeAll
    static void world() {
        lib = FuzzLibrary.create(true);
    }

    private static void fetchAndPull() {
        lib.runIn("clone", "fetch");
        lib.runIn("clone", "pull");
    }

    /** The newest version file of the remote's ref of branch work. */
    private static Path workRef() {
        return newest(lib.path("remote").resolve("refs/heads/work@cas"), p -> true);
    }

    private static Path newest(Path folder, java.util.function.Predicate<Path> filter) {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(filter).max(Comparator.comparing(Path::toString)).orElseThrow();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The remote's packs (or indexes) from smallest to largest: the labels and trees, then the images. */
    private static List<Path> packFiles(String suffix) {
        try (Stream<Path> files = Files.list(lib.path("remote").resolve("packs"))) {
            return files.filter(p -> p.toString().endsWith(suffix)).sorted(Comparator.comparingLong(p -> p.toFile().length()))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void replace(Path file, byte[] bytes) {
        try {
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        lib.changed();
    }

    /** Applies the edits that {@code input} describes (see the class comment) to {@code file}. */
    static void edit(Path file, byte[] input) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            int length = bytes.length;
            int i = 0;
            for (; i + 3 <= input.length; i += 3) {
                int at = ((Byte.toUnsignedInt(input[i]) << 8) | Byte.toUnsignedInt(input[i + 1])) % bytes.length;
                bytes[at] ^= input[i + 2];
            }
            if (i < input.length) {
                length = (int) ((long) bytes.length * Byte.toUnsignedInt(input[i]) / 256);
            }
            replace(file, java.util.Arrays.copyOf(bytes, length));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A ref whose text is the input: a commit id, a tombstone or anything else. */
    @FuzzTest(maxDuration = "2h")
    void ref(byte[] input) {
        lib.prepare();
        replace(workRef(), input);
        fetchAndPull();
    }

    @FuzzTest(maxDuration = "2h")
    void format(byte[] input) {
        lib.prepare();
        replace(lib.path("remote").resolve("format"), input);
        fetchAndPull();
    }

    @FuzzTest(maxDuration = "2h")
    void remoteConfig(byte[] input) {
        lib.prepare();
        replace(lib.path("remote").resolve("config.json"), input);
        fetchAndPull();
    }

    /** Edits to each pack in turn, so that one input reaches the labels pack and the images pack. */
    @FuzzTest(maxDuration = "2h")
    void pack(byte[] input) {
        for (int which = 0; which < 2; which++) {
            lib.prepare();
            edit(packFiles(".pack").get(which), input);
            fetchAndPull();
        }
    }

    @FuzzTest(maxDuration = "2h")
    void packIndex(byte[] input) {
        for (int which = 0; which < 2; which++) {
            lib.prepare();
            edit(packFiles(".idx").get(which), input);
            fetchAndPull();
        }
    }
}
