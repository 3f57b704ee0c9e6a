package dev.dsv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.Images;
import dev.dsv.testing.RepoSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** dsv guideline add/list/show and the guideline version of label records. */
class GuidelineTest {
    @TempDir
    Path tmp;

    Path library;
    Path document;

    @BeforeEach
    void setUp() throws IOException {
        library = tmp.resolve("lib");
        ok(tmp, "init", "lib");
        ok(library, "switch", "-c", "work");
        document = Files.writeString(tmp.resolve("guide.md"), "# Labeling guide 2026-03\nMark every crack longer than 2 mm.\n");
        ok(library, "guideline", "add", document.toString(), "--version", "2026-03", "--title", "Cracks and fingers");
    }

    private static CliResult ok(Path dir, String... args) {
        CliResult r = Dsv.run(dir, args);
        assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r);
        return r;
    }

    private CliResult ok(String... args) {
        return ok(library, args);
    }

    private CliResult rejected(int exit, String text, String... args) {
        Map<String, String> before = RepoSnapshot.of(library);
        CliResult r = Dsv.run(library, args);
        assertEquals(exit, r.exitCode(), String.join(" ", args) + "\n" + r);
        assertTrue(r.err().contains(text), "message should contain '" + text + "':\n" + r);
        assertEquals(before, RepoSnapshot.of(library), "repository changed by: " + String.join(" ", args));
        return r;
    }

    @Test
    void listAndShowReturnDocument() throws IOException {
        JsonNode list = ok("--json", "guideline", "list").json().path("guidelines");
        assertEquals(1, list.size());
        assertEquals("2026-03", list.get(0).path("version").asText());
        assertEquals("Cracks and fingers", list.get(0).path("title").asText());
        assertEquals(Files.size(document), list.get(0).path("size").asLong());
        assertEquals(org.apache.commons.codec.digest.DigestUtils.sha256Hex(Files.readAllBytes(document)),
                list.get(0).path("document").asText());

        assertEquals(Files.readString(document), ok("guideline", "show", "2026-03").out());
        Path copy = tmp.resolve("copy.md");
        ok("guideline", "show", "2026-03", "--out", copy.toString());
        assertEquals(Files.readString(document), Files.readString(copy));
        ok("gc", "--grace", "0");
        assertEquals(Files.readString(document), ok("guideline", "show", "2026-03").out());
    }

    @Test
    void rejectsBadGuidelineInput() {
        rejected(3, "already exists", "guideline", "add", document.toString(), "--version", "2026-03");
        rejected(3, "not a valid guideline version", "guideline", "add", document.toString(), "--version", "a b");
        rejected(3, "does not exist", "guideline", "add", tmp.resolve("nope.md").toString(), "--version", "v2");
        rejected(5, "unknown guideline version 'v9'", "guideline", "show", "v9");
        rejected(3, "exists already", "guideline", "show", "2026-03", "--out", document.toString());
    }

    @Test
    void labelsNameTheirGuideline() throws IOException {
        Images.copySample(tmp.resolve("batch"), 4);
        Path labels = Images.writeLabels(tmp.resolve("labels.csv"), "path,defects,guideline",
                "cell0001.png,crack,2026-03", "cell0002.png,,", "cell0003.png,crack,2026-03", "cell0004.png,,2026-03");
        ok("add", "../batch", "--labels", labels.toString(), "--cell-type", "mono", "--source", "production",
                "--labeler", "lab-01");
        ok("commit", "-m", "batch");
        JsonNode one = ok("--json", "show", "HEAD:batch/cell0001.png").json().path("label");
        assertEquals("2026-03", one.path("guideline").asText());
        assertFalse(ok("--json", "show", "HEAD:batch/cell0002.png").json().path("label").has("guideline"));
        assertTrue(ok("show", "HEAD:batch/cell0001.png").out().contains("2026-03"));

        JsonNode images = ok("--json", "ls").json().path("images");
        assertEquals("2026-03", images.get(0).path("guideline").asText());
        assertFalse(images.get(1).has("guideline"));

        Files.writeString(tmp.resolve("guide2.md"), "# 2026-06\n");
        ok("guideline", "add", tmp.resolve("guide2.md").toString(), "--version", "2026-06");
        assertEquals(1, ok("--json", "label", "set", "batch/cell0002.png", "--defect", "none", "--labeler", "lab-01",
                "--guideline", "2026-06").json().path("relabeled").asInt());
        Path relabel = Images.writeLabels(tmp.resolve("relabel.csv"), "dataset_path,defects",
                "batch/cell0003.png,crack");
        ok("label", "import", relabel.toString(), "--labeler", "lab-02", "--guideline", "2026-06");
        ok("commit", "-m", "relabel under 2026-06");
        assertEquals("2026-06", ok("--json", "show", "HEAD:batch/cell0002.png").json().path("label").path("guideline").asText());
        assertEquals("2026-06", ok("--json", "show", "HEAD:batch/cell0003.png").json().path("label").path("guideline").asText());
    }

    @Test
    void unknownGuidelineNamesFileAndRow() {
        Images.copySample(tmp.resolve("batch"), 2);
        Path labels = Images.writeLabels(tmp.resolve("labels.csv"), "path,defects,guideline",
                "cell0001.png,crack,2026-03", "cell0002.png,,2025-01");
        rejected(3, labels + ":3: unknown guideline version '2025-01'", "add", "../batch", "--labels",
                labels.toString(), "--cell-type", "mono", "--source", "production", "--labeler", "lab-01");
        rejected(3, "unknown guideline version 'v7'", "add", "../batch", "--cell-type", "mono",
                "--source", "production", "--labeler", "lab-01", "--guideline", "v7");
    }

    @Test
    void addHelpShowsVersionOption() {
        CliResult r = ok("guideline", "add", "--help");
        assertTrue(r.out().contains("--version=VERSION"), r.toString());
    }
}
