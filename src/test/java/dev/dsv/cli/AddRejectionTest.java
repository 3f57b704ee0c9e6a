package dev.dsv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.Images;
import dev.dsv.testing.RepoSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every rejected add names the offending file or row, exits with 3 (invalid input), and leaves the
 * repository byte-for-byte as it was: nothing staged, no object written.
 */
class AddRejectionTest {
    private static final String[] FLAGS = {"--source", "production", "--labeler", "lab-07"};

    @TempDir
    Path tmp;

    Path library;
    Path batch;

    @BeforeEach
    void setUp() {
        library = tmp.resolve("lib");
        assertEquals(0, Dsv.run(tmp, "init", "lib").exitCode());
        assertEquals(0, Dsv.run(tmp.resolve("lib"), "switch", "-c", "work").exitCode());
        Images.copySample(tmp.resolve("first"), 3);
        CliResult add = Dsv.run(library, "add", "../first", "--cell-type", "mono", "--source", "production", "--labeler", "lab-01");
        assertEquals(0, add.exitCode(), add.toString());
        assertEquals(0, Dsv.run(library, "commit", "-m", "first batch").exitCode());
        batch = tmp.resolve("batch-0601");
        Images.copySample(batch, 4);
    }

    private CliResult addRejected(String expectedText, String... args) {
        Map<String, String> before = RepoSnapshot.of(library);
        CliResult r = Dsv.run(library, args);
        assertEquals(3, r.exitCode(), r.toString());
        assertTrue(r.err().contains(expectedText), "message should name '" + expectedText + "':\n" + r);
        assertEquals(before, RepoSnapshot.of(library), "repository changed by a rejected add");
        CliResult status = Dsv.run(library, "status", "--json");
        assertEquals(0, status.json().path("counts").path("added").asInt(), status.toString());
        return r;
    }

    private String[] add(String... extra) {
        String[] head = {"add", batch.toString()};
        String[] all = Arrays.copyOf(head, head.length + extra.length + FLAGS.length);
        System.arraycopy(extra, 0, all, head.length, extra.length);
        System.arraycopy(FLAGS, 0, all, head.length + extra.length, FLAGS.length);
        return all;
    }

    private Path labels(String... rows) {
        return Images.writeLabels(tmp.resolve("labels.csv"), "path,cell_type,defects", rows);
    }

    @Test
    void labelsRowWithoutImage() {
        Path csv = labels("cell0001.png,mono,", "cell0002.png,mono,", "cell0003.png,mono,", "cell0004.png,mono,",
                "cell9999.png,mono,defective");
        CliResult r = addRejected("cell9999.png", add("--labels", csv.toString()));
        assertTrue(r.err().contains("labels.csv:6"), "row number missing:\n" + r);
    }

    @Test
    void imageWithoutLabel() {
        Path csv = labels("cell0001.png,mono,", "cell0002.png,mono,", "cell0003.png,mono,");
        addRejected("cell0004.png", add("--labels", csv.toString()));
    }

    @Test
    void duplicateLabelsRow() {
        Path csv = labels("cell0001.png,mono,", "cell0002.png,mono,", "cell0003.png,mono,", "cell0004.png,mono,",
                "cell0002.png,poly,");
        CliResult r = addRejected("cell0002.png", add("--labels", csv.toString()));
        assertTrue(r.err().contains("labeled twice"), r.toString());
    }

    @Test
    void pathsDifferingOnlyInCase() throws IOException {
        Files.copy(batch.resolve("cell0001.png"), batch.resolve("CELL0001.png"));
        addRejected("CELL0001.png", add("--cell-type", "mono"));
    }

    @Test
    void caseVariantOfCommittedPath() throws IOException {
        Path other = tmp.resolve("First");
        Images.copySample(other, 1);
        Map<String, String> before = RepoSnapshot.of(library);
        CliResult r = Dsv.run(library, "add", other.toString(), "--prefix", "FIRST", "--cell-type", "mono",
                "--source", "production", "--labeler", "lab-07");
        assertEquals(3, r.exitCode(), r.toString());
        assertTrue(r.err().contains("first"), r.toString());
        assertTrue(r.err().contains("FIRST"), r.toString());
        assertEquals(before, RepoSnapshot.of(library));
    }

    @Test
    void labelsPathWithDotDot() {
        Path csv = labels("cell0001.png,mono,", "cell0002.png,mono,", "cell0003.png,mono,", "cell0004.png,mono,",
                "../first/cell0001.png,mono,");
        addRejected("../first/cell0001.png", add("--labels", csv.toString()));
    }

    @Test
    void labelsPathAbsolute() {
        Path csv = labels("cell0001.png,mono,", "cell0002.png,mono,", "cell0003.png,mono,", "cell0004.png,mono,",
                "/etc/passwd,mono,");
        addRejected("/etc/passwd", add("--labels", csv.toString()));
    }

    @Test
    void symlinkPointingOut() throws IOException {
        Files.createSymbolicLink(batch.resolve("outside.png"), tmp.resolve("first").resolve("cell0001.png"));
        addRejected("outside.png", add("--cell-type", "mono"));
    }

    @Test
    void symlinkInsideIsFollowed() throws IOException {
        Files.createSymbolicLink(batch.resolve("alias.png"), batch.resolve("cell0001.png"));
        CliResult r = Dsv.run(library, add("--cell-type", "mono"));
        assertEquals(0, r.exitCode(), r.toString());
        CliResult status = Dsv.run(library, "status", "--json");
        assertEquals(5, status.json().path("counts").path("added").asInt(), status.toString());
    }

    @Test
    void fileThatIsNotAnImage() throws IOException {
        Files.writeString(batch.resolve("notes.txt"), "inspection notes, not an image\n");
        CliResult r = addRejected("notes.txt", add("--cell-type", "mono"));
        assertTrue(r.err().contains("not a PNG, JPEG, TIFF or BMP"), r.toString());
    }

    @Test
    void imageRenamedToText() throws IOException {
        Files.writeString(batch.resolve("cell0003.png"), "id,value\n1,2\n");
        addRejected("cell0003.png", add("--cell-type", "mono"));
    }

    @Test
    void truncatedPng() throws IOException {
        Path png = batch.resolve("cell0002.png");
        byte[] bytes = Files.readAllBytes(png);
        Files.write(png, Arrays.copyOf(bytes, bytes.length / 2));
        CliResult r = addRejected("cell0002.png", add("--cell-type", "mono"));
        assertTrue(r.err().contains("truncated"), r.toString());
    }

    @Test
    void unknownCellType() {
        CliResult r = addRejected("TOPcon-x", add("--cell-type", "TOPcon-x"));
        assertTrue(r.err().contains("TOPCon"), "allowed values should be listed:\n" + r);
    }

    @Test
    void unknownDefectInRow() {
        Path csv = labels("cell0001.png,mono,", "cell0002.png,mono,", "cell0003.png,mono,crak", "cell0004.png,mono,");
        CliResult r = addRejected("crak", add("--labels", csv.toString()));
        assertTrue(r.err().contains("labels.csv:4"), r.toString());
    }

    @Test
    void syntheticWithoutGenerator() {
        Map<String, String> before = RepoSnapshot.of(library);
        CliResult r = Dsv.run(library, "add", batch.toString(), "--cell-type", "mono", "--source", "synthetic",
                "--labeler", "gen-bot");
        assertEquals(3, r.exitCode(), r.toString());
        assertTrue(r.err().contains("generator"), r.toString());
        assertEquals(before, RepoSnapshot.of(library));
    }

    @Test
    void missingLabeler() {
        Map<String, String> before = RepoSnapshot.of(library);
        CliResult r = Dsv.run(library, "add", batch.toString(), "--cell-type", "mono", "--source", "production");
        assertEquals(3, r.exitCode(), r.toString());
        assertTrue(r.err().contains("--labeler"), r.toString());
        assertEquals(before, RepoSnapshot.of(library));
    }

    @Test
    void differentImageAtExistingPath() throws IOException {
        Path changed = tmp.resolve("changed").resolve("first");
        Files.createDirectories(changed);
        Files.copy(batch.resolve("cell0004.png"), changed.resolve("cell0001.png"));
        Map<String, String> before = RepoSnapshot.of(library);
        CliResult r = Dsv.run(library, "add", changed.toString(), "--cell-type", "mono", "--source", "production",
                "--labeler", "lab-01");
        assertEquals(3, r.exitCode(), r.toString());
        assertTrue(r.err().contains("first/cell0001.png"), r.toString());
        assertTrue(r.err().contains("--replace"), r.toString());
        assertEquals(before, RepoSnapshot.of(library));

        CliResult replaced = Dsv.run(library, "add", changed.toString(), "--replace", "--cell-type", "mono",
                "--source", "production", "--labeler", "lab-01");
        assertEquals(0, replaced.exitCode(), replaced.toString());
        assertEquals(1, Dsv.run(library, "status", "--json").json().path("counts").path("replaced").asInt());
    }

    @Test
    void malformedCsvRow() {
        Path csv = Images.writeLabels(tmp.resolve("labels.csv"), "path,cell_type,defects",
                "cell0001.png,mono,", "cell0002.png,mono", "cell0003.png,mono,", "cell0004.png,mono,");
        CliResult r = addRejected("labels.csv:3", add("--labels", csv.toString()));
        assertTrue(r.err().contains("header has 3 columns"), r.toString());
    }

    @Test
    void unclosedQuoteNamesFileAndLine() {
        Path csv = Images.writeLabels(tmp.resolve("labels.csv"), "path,cell_type,defects",
                "cell0001.png,mono,", "cell0002.png,mono,\"crack", "cell0003.png,mono,");
        CliResult r = addRejected("labels.csv:", add("--labels", csv.toString()));
        assertTrue(r.err().contains("closing quote"), r.toString());
        assertFalse(r.err().contains("reference chain"), r.toString());
        assertFalse(r.err().contains("java.lang"), r.toString());
    }

    @Test
    void labelsWithoutPathColumn() {
        Path csv = Images.writeLabels(tmp.resolve("labels.csv"), "file,cell_type", "cell0001.png,mono");
        addRejected("path", add("--labels", csv.toString()));
    }

    @Test
    void invalidConfidenceAndTime() {
        Path csv = Images.writeLabels(tmp.resolve("labels.csv"), "path,cell_type,confidence,labeled_at",
                "cell0001.png,mono,1.5,2026-06-01T08:00:00+08:00", "cell0002.png,mono,0.5,yesterday",
                "cell0003.png,mono,,", "cell0004.png,mono,,");
        CliResult r = addRejected("1.5", add("--labels", csv.toString()));
        assertTrue(r.err().contains("yesterday"), "both problems should be listed:\n" + r);
    }

    @Test
    void jsonErrorShape() {
        CliResult r = Dsv.run(library, "--json", "add", batch.toString(), "--cell-type", "nonsense", "--source",
                "production", "--labeler", "x");
        assertEquals(3, r.exitCode(), r.toString());
        var error = r.json().path("error");
        assertEquals(1, r.json().path("schema_version").asInt());
        assertEquals("invalid_input", error.path("code").asText());
        assertEquals(3, error.path("exit_code").asInt());
        assertEquals(4, error.path("problems").size(), r.toString());
    }

    @Test
    void regionsMustBeComplete() {
        Path csv = Images.writeLabels(tmp.resolve("regions.csv"), "path,cell_type,defects,regions",
                "cell0001.png,mono,crack,\"[{\"\"box\"\":[1,2,3,4]}]\"",
                "cell0002.png,mono,crack,\"[{\"\"defect\"\":\"\"crack\"\",\"\"box\"\":[1,2,3,4],\"\"polygon\"\":[[1,1],[2,2],[3,1]]}]\"",
                "cell0003.png,mono,crack,\"[{\"\"defect\"\":\"\"scratch\"\",\"\"box\"\":[1,2,3,4]}]\"",
                "cell0004.png,mono,crack,\"[{\"\"defect\"\":\"\"crack\"\",\"\"box\"\":[1,2,3,4],\"\"extra\"\":1}]\"");
        CliResult r = addRejected("regions.csv:2", add("--labels", csv.toString()));
        assertTrue(r.err().contains("needs a \"defect\""), r.toString());
        assertTrue(r.err().contains("not both"), r.toString());
        assertTrue(r.err().contains("not among the row's defects"), r.toString());
        assertTrue(r.err().contains("unknown region key"), r.toString());
    }

    @Test
    void blankLabelerAndNoneWithDefect() {
        CliResult blank = addRejected("--labeler", new String[] {"add", batch.toString(), "--cell-type", "mono",
            "--source", "production", "--labeler", "  "});
        assertEquals(3, blank.exitCode());
        addRejected("cannot be combined", add("--cell-type", "mono", "--defect", "none;crack"));
    }
}
