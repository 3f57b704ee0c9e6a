package dev.dsv.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Real EL images for tests: the ELPV sample under examples/ and the full ELPV set beside the checkout. */
public final class Images {
    /** The 60-image ELPV sample bundled with the project. */
    public static final Path SAMPLE = Path.of("examples", "elpv").toAbsolutePath();
    /** The full ELPV library (2 624 images), in the shared data folder beside the checkout. */
    public static final Path ELPV = Path.of("..", "shared", "data", "elpv").toAbsolutePath().normalize();

    private Images() {
    }

    /** Returns the sample's image files in name order. */
    public static List<Path> sampleImages() {
        try (Stream<Path> files = Files.list(SAMPLE.resolve("images"))) {
            return files.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies the first {@code n} sample images into {@code folder} and returns the copies. */
    public static List<Path> copySample(Path folder, int n) {
        List<Path> out = new ArrayList<>();
        try {
            Files.createDirectories(folder);
            for (Path p : sampleImages().subList(0, n)) {
                Path target = folder.resolve(p.getFileName());
                Files.copy(p, target);
                out.add(target);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Writes a dsv labels CSV: the header row, then one row per line given. */
    public static Path writeLabels(Path file, String header, String... rows) {
        StringBuilder sb = new StringBuilder(header).append('\n');
        for (String r : rows) {
            sb.append(r).append('\n');
        }
        try {
            Files.writeString(file, sb.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }
}
