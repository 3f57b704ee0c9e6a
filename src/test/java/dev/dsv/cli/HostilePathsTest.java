package dev.dsv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.Images;
import dev.dsv.testing.RepoSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * File names and paths that a hostile or careless folder or labels file holds: links out of the
 * folder, pipes and devices, names with newlines, control characters or invalid UTF-8, very long
 * names, names that differ only in case, Windows reserved names, and labels rows with {@code ..} or
 * absolute paths. Each is refused with a message or handled; none escapes the repository or an
 * export folder, and none breaks a listing or a manifest.
 */
@Timeout(300)
class HostilePathsTest {
    @TempDir
    Path tmp;

    Path library;
    Path image;

    @BeforeEach
    void setUp() throws IOException {
        assertEquals(0, Dsv.run(tmp, "init", "lib").exitCode());
        library = tmp.resolve("lib");
        assertEquals(0, Dsv.run(library, "switch", "-c", "work").exitCode());
        image = Images.sampleImages().get(0);
    }

    private CliResult add(Path folder) {
        return Dsv.run(library, "add", folder.toString(), "--cell-type", "mono", "--source", "production",
                "--labeler", "lab-01", "--defect", "none");
    }

    /** Adds a folder that holds one plain image and {@code odd}; returns the result after checking the contract. */
    private CliResult addBeside(String odd, ThrowingCreator creator) throws Exception {
        Path folder = tmp.resolve("in-" + Math.abs(odd.hashCode()));
        Files.createDirectories(folder);
        Files.copy(image, folder.resolve("plain.png"));
        creator.create(folder);
        Map<String, String> before = RepoSnapshot.of(library);
        CliResult r = add(folder);
        assertNotEquals(70, r.exitCode(), odd + "\n" + r);
        assertFalse(r.err().contains("\tat "), r.toString());
        if (r.exitCode() != 0) {
            assertFalse(r.err().isBlank(), r.toString());
            assertEquals(before, RepoSnapshot.of(library), odd + ": a refused add changes nothing");
        }
        return r;
    }

    interface ThrowingCreator {
        void create(Path folder) throws Exception;
    }

    @Test
    void linksOutOfTheFolderPipesAndDevices() throws Exception {
        Path outside = tmp.resolve("outside.png");
        Files.copy(Images.sampleImages().get(1), outside);
        addBeside("symlink", f -> Files.createSymbolicLink(f.resolve("link.png"), outside));
        addBeside("hardlink", f -> Files.createLink(f.resolve("hard.png"), outside));
        addBeside("devnull", f -> Files.createSymbolicLink(f.resolve("null.png"), Path.of("/dev/null")));
        addBeside("devzero", f -> Files.createSymbolicLink(f.resolve("zero.png"), Path.of("/dev/zero")));
        addBeside("fifo", f -> assertEquals(0,
                new ProcessBuilder("mkfifo", f.resolve("pipe.png").toString()).inheritIO().start().waitFor()));
        addBeside("dirlink", f -> Files.createSymbolicLink(f.resolve("up"), tmp));
        assertListingAndExportSound();
    }

    @Test
    void oddNames() throws Exception {
        addBeside("newline", f -> Files.copy(image, f.resolve("two\nlines.png")));
        addBeside("control", f -> Files.copy(image, f.resolve("bell\u0007tab\t.png")));
        addBeside("quote", f -> Files.copy(image, f.resolve("comma, \"quote\".png")));
        addBeside("long", f -> Files.copy(image, f.resolve("x".repeat(250) + ".png")));
        addBeside("case", f -> {
            Files.copy(image, f.resolve("Cell.png"));
            Files.copy(Images.sampleImages().get(2), f.resolve("cell.png"));
        });
        addBeside("windows", f -> {
            Files.copy(image, f.resolve("CON.png"));
            Files.copy(Images.sampleImages().get(3), f.resolve("NUL.png"));
        });
        addBeside("invalid utf-8", f -> assertEquals(0, new ProcessBuilder("sh", "-c",
                "cp \"$1\" \"$2/$(printf 'bad\\377\\376name.png')\"", "sh", image.toString(), f.toString())
                .inheritIO().start().waitFor()));
        assertListingAndExportSound();
    }

    @Test
    void labelsRowsThatPointOutside() throws Exception {
        Path folder = tmp.resolve("batch");
        Images.copySample(folder, 2);
        assertEquals(0, add(folder).exitCode());
        for (String path : List.of("../outside.png", "/etc/passwd", "batch/../../x.png", "batch/./cell0001.png",
                "C:\\\\x.png", "batch\\\\cell0001.png")) {
            Path labels = Files.writeString(tmp.resolve("labels.csv"), "path,defects\n\"" + path + "\",crack\n");
            Map<String, String> before = RepoSnapshot.of(library);
            CliResult r = Dsv.run(library, "label", "import", labels.toString(), "--labeler", "lab-01");
            assertEquals(3, r.exitCode(), path + "\n" + r);
            assertEquals(before, RepoSnapshot.of(library), path);
        }
    }

    /**
     * Commits what was added, lists it, exports it, and checks that the listing and the manifest name
     * exactly the committed images and that every exported file lies inside the export folder.
     */
    private void assertListingAndExportSound() throws IOException {
        CliResult commit = Dsv.run(library, "commit", "-m", "odd names");
        assertEquals(0, commit.exitCode(), commit.toString());
        JsonNode listed = Dsv.run(library, "--json", "ls").json();
        List<String> paths = new ArrayList<>();
        for (JsonNode n : listed.path("images")) {
            paths.add(n.path("path").asText());
        }
        assertFalse(paths.isEmpty(), listed.toString());
        for (String p : paths) {
            assertFalse(p.startsWith("/") || p.contains("..") || p.chars().anyMatch(Character::isISOControl), p);
        }
        Path out = tmp.resolve("export");
        CliResult export = Dsv.run(library, "export", "--out", out.toString());
        assertEquals(0, export.exitCode(), export.toString());
        List<String> manifestPaths = new ArrayList<>();
        CsvMapper mapper = new CsvMapper();
        mapper.enable(CsvParser.Feature.WRAP_AS_ARRAY);
        try (MappingIterator<String[]> rows = mapper.readerFor(String[].class).with(CsvSchema.emptySchema())
                .readValues(out.resolve("manifest.csv").toFile())) {
            String[] header = rows.next();
            int column = List.of(header).indexOf("dataset_path");
            assertTrue(column >= 0, String.join(",", header));
            while (rows.hasNext()) {
                manifestPaths.add(rows.next()[column]);
            }
        }
        assertEquals(paths.stream().sorted().toList(), manifestPaths.stream().sorted().toList(), "manifest rows");
        Path real = out.toRealPath();
        try (Stream<Path> walk = Files.walk(out)) {
            for (Path f : walk.toList()) {
                assertTrue(f.toRealPath().startsWith(real) || !Files.isSymbolicLink(f), f.toString());
            }
        }
    }
}
