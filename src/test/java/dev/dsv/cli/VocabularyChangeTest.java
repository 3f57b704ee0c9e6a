package dev.dsv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.ReviewFlow;
import dev.dsv.testing.Images;
import dev.dsv.testing.RepoSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** dsv vocab rename, merge and split: the new commit and records, and rejected input that changes nothing. */
class VocabularyChangeTest {
    @TempDir
    Path tmp;

    Path library;

    @BeforeEach
    void setUp() {
        library = tmp.resolve("lib");
        ok(tmp, "init", "lib");
        ok(library, "switch", "-c", "work");
        Images.copySample(tmp.resolve("batch"), 8);
        Path labels = Images.writeLabels(tmp.resolve("labels.csv"), "path,defects,regions,labeler,confidence",
                "cell0001.png,crack,\"[{\"\"defect\"\":\"\"crack\"\",\"\"box\"\":[1,2,3,4]}]\",lab-01,0.9",
                "cell0002.png,crack;finger-interruption,,lab-02,0.5",
                "cell0003.png,microcrack,,lab-01,1",
                "cell0004.png,,,lab-01,1",
                "cell0005.png,crack,,lab-03,0.7",
                "cell0006.png,dark-spot,,lab-01,1",
                "cell0007.png,dark-area;dark-spot,,lab-02,1",
                "cell0008.png,finger-interruption,,lab-01,1");
        ok(library, "add", "../batch", "--labels", labels.toString(), "--cell-type", "poly", "--source", "production",
                "--labeled-at", "2026-06-01T08:30:00+08:00");
        ok(library, "commit", "-m", "batch");
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

    private JsonNode label(String revision, String path) {
        return ok("--json", "show", revision + ":" + path).json().path("label");
    }

    private List<String> defectTypes() throws IOException {
        List<String> out = new ArrayList<>();
        for (JsonNode n : new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(library.resolve(".dsv/config.json").toFile()).path("defect_types")) {
            out.add(n.asText());
        }
        return out;
    }

    private JsonNode summary(String... args) {
        List<String> all = new ArrayList<>(List.of("--json", "ls", "--summary"));
        all.addAll(List.of(args));
        return ok(all.toArray(String[]::new)).json().path("sub_libraries");
    }

    @Test
    void renameKeepsJudgementAndRegions() throws IOException {
        JsonNode before = label("HEAD", "batch/cell0001.png");
        String parent = ok("--json", "log", "-n", "1").json().path("commits").get(0).path("id").asText();

        JsonNode r = ok("--json", "vocab", "rename", "crack", "fissure").json();
        assertEquals(3, r.path("images").asInt());
        assertEquals("rename", r.path("operation").asText());
        String change = r.path("change").asText();
        String commit = r.path("commit").asText();
        assertEquals(commit, ok("--json", "log", "-n", "1").json().path("commits").get(0).path("id").asText());

        JsonNode after = label("HEAD", "batch/cell0001.png");
        assertEquals("fissure", after.path("defects").get(0).path("type").asText());
        assertEquals(before.path("defects").get(0).path("regions"), after.path("defects").get(0).path("regions"));
        assertEquals(before.path("labeler").asText(), after.path("labeler").asText());
        assertEquals(before.path("labeled_at").asText(), after.path("labeled_at").asText());
        assertEquals(before.path("confidence").asText(), after.path("confidence").asText());
        assertEquals(before.path("id").asText(), after.path("supersedes").asText());
        assertEquals(change, after.path("change").asText());

        JsonNode two = label("HEAD", "batch/cell0002.png");
        assertEquals("finger-interruption", two.path("defects").get(0).path("type").asText());
        assertEquals("fissure", two.path("defects").get(1).path("type").asText());
        assertEquals(label("HEAD~1", "batch/cell0003.png"), label("HEAD", "batch/cell0003.png"));
        assertEquals("crack", label("HEAD~1", "batch/cell0001.png").path("defects").get(0).path("type").asText());
        assertEquals(parent, ok("--json", "log", "-n", "2").json().path("commits").get(1).path("id").asText());

        List<String> types = defectTypes();
        assertTrue(types.contains("fissure"), types.toString());
        assertFalse(types.contains("crack"), types.toString());
        assertEquals(0, Dsv.run(library, "fsck").exitCode());

        Images.copySample(tmp.resolve("late"), 1);
        rejected(3, "fissure", "add", "../late", "--cell-type", "poly", "--source", "production",
                "--labeler", "lab-01", "--defect", "crack");
    }

    @Test
    void mergeMappedSummaryEqualsAfter() {
        JsonNode mappedBefore = summary("--vocabulary", "current");
        assertEquals(summary(), mappedBefore);
        JsonNode r = ok("--json", "vocab", "merge", "dark-spot", "dark-area", "--into", "dark-region").json();
        assertEquals(2, r.path("images").asInt());
        JsonNode seven = label("HEAD", "batch/cell0007.png");
        assertEquals(1, seven.path("defects").size());
        assertEquals("dark-region", seven.path("defects").get(0).path("type").asText());

        JsonNode after = summary();
        assertNotEquals(after, summary("HEAD~1"));
        assertEquals(after, summary("HEAD~1", "--vocabulary", "current"));
        assertEquals(paths(ok("--json", "ls", "--defect", "dark-region").json()),
                paths(ok("--json", "ls", "HEAD~1", "--defect", "dark-region", "--vocabulary", "current").json()));
    }

    private static List<String> paths(JsonNode listing) {
        List<String> out = new ArrayList<>();
        listing.path("images").forEach(i -> out.add(i.path("path").asText()));
        assertEquals(listing.path("count").asInt(), out.size());
        return out;
    }

    @Test
    void mergeIntoConfiguredType() {
        JsonNode r = ok("--json", "vocab", "merge", "microcrack", "--into", "crack").json();
        assertEquals(1, r.path("images").asInt());
        assertEquals("crack", label("HEAD", "batch/cell0003.png").path("defects").get(0).path("type").asText());
        assertEquals(summary(), summary("HEAD~1", "--vocabulary", "current"));
    }

    @Test
    void splitFollowsMapping() throws IOException {
        Path map = Images.writeLabels(tmp.resolve("map.csv"), "dataset_path,defects",
                "batch/cell0001.png,crack-major",
                "batch/cell0002.png,crack-major;crack-minor",
                "batch/cell0005.png,crack-minor");
        JsonNode r = ok("--json", "vocab", "split", "crack", "--map", map.toString()).json();
        assertEquals(3, r.path("images").asInt());
        assertEquals(List.of("crack-major", "crack-minor"),
                List.of(r.path("to").get(0).asText(), r.path("to").get(1).asText()));
        JsonNode one = label("HEAD", "batch/cell0001.png");
        assertEquals("crack-major", one.path("defects").get(0).path("type").asText());
        assertEquals(1, one.path("defects").get(0).path("regions").size());
        JsonNode two = label("HEAD", "batch/cell0002.png");
        assertEquals(3, two.path("defects").size());

        List<String> types = defectTypes();
        assertTrue(types.containsAll(List.of("crack-major", "crack-minor")), types.toString());
        assertFalse(types.contains("crack"), types.toString());
        assertEquals(summary(), summary("HEAD~1", "--vocabulary", "current"));
    }

    @Test
    void splitMultipleTargetsDropsRegions() {
        Path map = Images.writeLabels(tmp.resolve("map.csv"), "dataset_path,defects",
                "batch/cell0001.png,crack;microcrack",
                "batch/cell0002.png,crack",
                "batch/cell0005.png,microcrack");
        JsonNode r = ok("--json", "vocab", "split", "crack", "--map", map.toString()).json();
        assertEquals(1, r.path("regions_dropped").asInt());
        assertEquals(2, r.path("images").asInt());
        JsonNode one = label("HEAD", "batch/cell0001.png");
        assertEquals(2, one.path("defects").size());
        assertTrue(one.path("defects").get(0).path("regions").isEmpty());
    }

    @Test
    void splitRejectsUnmappedImages() {
        Path map = Images.writeLabels(tmp.resolve("map.csv"), "dataset_path,defects",
                "batch/cell0001.png,crack-major");
        CliResult r = rejected(3, "2 images", "vocab", "split", "crack", "--map", map.toString());
        assertTrue(r.err().contains("batch/cell0002.png"), r.toString());
        assertTrue(r.err().contains("batch/cell0005.png"), r.toString());
    }

    @Test
    void splitRejectsMalformedMapping() throws IOException {
        Path header = Images.writeLabels(tmp.resolve("header.csv"), "path,types", "batch/cell0001.png,a");
        rejected(3, header + ":1", "vocab", "split", "crack", "--map", header.toString());

        Path map = Images.writeLabels(tmp.resolve("map.csv"), "dataset_path,defects",
                "batch/cell0001.png,crack-major",
                "batch/cell0002.png,crack-major,extra",
                "batch/cell0005.png,none",
                "batch/cell0005.png,crack-minor",
                "batch/cell0005.png,crack-minor",
                "batch/cell0005.png,",
                "batch/cell0099.png,crack-minor");
        CliResult r = rejected(3, "problems", "vocab", "split", "crack", "--map", map.toString());
        assertTrue(r.err().contains(map + ":3"), r.toString());
        assertTrue(r.err().contains(map + ":4"), r.toString());
        assertTrue(r.err().contains(map + ":6"), r.toString());
        assertTrue(r.err().contains(map + ":7"), r.toString());

        Path extra = Images.writeLabels(tmp.resolve("extra.csv"), "dataset_path,defects",
                "batch/cell0001.png,crack-major",
                "batch/cell0002.png,crack-major",
                "batch/cell0005.png,crack-minor",
                "batch/cell0099.png,crack-minor",
                "batch/cell0003.png,crack-minor");
        CliResult e = rejected(3, extra + ":5", "vocab", "split", "crack", "--map", extra.toString());
        assertTrue(e.err().contains(extra + ":6"), e.toString());
        rejected(3, "does not exist", "vocab", "split", "crack", "--map", tmp.resolve("missing.csv").toString());
        Path unclosed = Images.writeLabels(tmp.resolve("unclosed.csv"), "dataset_path,defects",
                "batch/cell0001.png,\"crack-major", "batch/cell0002.png,crack-major");
        rejected(3, unclosed + ":4: this CSV cannot be read (Missing closing quote",
                "vocab", "split", "crack", "--map", unclosed.toString());
    }

    @Test
    void rejectsBadNames() {
        rejected(3, "unknown defect type 'no-such-type'", "vocab", "rename", "no-such-type", "fissure");
        rejected(3, "dsv vocab merge crack --into microcrack", "vocab", "rename", "crack", "microcrack");
        rejected(3, "dsv vocab merge crack --into microcrack", "vocab", "rename", "crack", "MicroCrack");
        rejected(3, "'none' means no defect", "vocab", "rename", "crack", "none");
        rejected(3, "cannot be a defect type", "vocab", "rename", "crack", "a;b");
        rejected(3, "merged into itself", "vocab", "merge", "crack", "microcrack", "--into", "crack");
        rejected(3, "unknown defect type", "vocab", "merge", "crack", "bogus", "--into", "fissure");
        rejected(2, "", "vocab", "merge", "crack");
    }

    @Test
    void rejectsProtectedBranchAndStagedChanges() {
        ok("label", "set", "batch/cell0004.png", "--defect", "crack", "--labeler", "lab-09");
        rejected(3, "staged changes", "vocab", "rename", "crack", "fissure");
        ok("switch", "-c", "other", "--discard-staged", "HEAD");
        ok("switch", "main");
        rejected(12, "protected", "vocab", "rename", "crack", "fissure");
    }

    @Test
    void renameOfUnusedTypeRecordsWithoutCommit() throws IOException {
        String head = ok("--json", "log", "-n", "1").json().path("commits").get(0).path("id").asText();
        JsonNode r = ok("--json", "vocab", "rename", "scratch", "surface-scratch").json();
        assertTrue(r.path("commit").isNull(), r.toString());
        assertEquals(0, r.path("images").asInt());
        assertEquals(head, ok("--json", "log", "-n", "1").json().path("commits").get(0).path("id").asText());
        assertTrue(defectTypes().contains("surface-scratch"));
    }

    @Test
    void staleBranchRenamesUnconfiguredType() {
        ok("branch", "old-line");
        ok("vocab", "rename", "crack", "fissure");
        ok("switch", "old-line");
        JsonNode r = ok("--json", "vocab", "rename", "crack", "fissure2").json();
        assertEquals(3, r.path("images").asInt());
        JsonNode merged = ok("--json", "vocab", "merge", "fissure2", "--into", "fissure").json();
        assertEquals(3, merged.path("images").asInt());
        assertEquals(summary("work"), summary());
    }

    @Test
    void diffSummaryMapsBothSides() {
        ok("vocab", "rename", "crack", "fissure");
        ok("rm", "batch/cell0005.png");
        ok("commit", "-m", "drop one");
        JsonNode plain = ok("--json", "diff", "HEAD~2", "HEAD", "--summary").json();
        JsonNode mapped = ok("--json", "diff", "HEAD~2", "HEAD", "--summary", "--vocabulary", "current").json();
        assertEquals(1, removedUnder(plain, "crack"));
        assertEquals(0, removedUnder(plain, "fissure"));
        assertEquals(0, removedUnder(mapped, "crack"));
        assertEquals(1, removedUnder(mapped, "fissure"));
        assertEquals(plain.path("counts"), mapped.path("counts"));
    }

    private static int removedUnder(JsonNode diff, String defect) {
        int n = 0;
        for (JsonNode pair : diff.path("by_sub_library")) {
            if (pair.path("defect").asText().equals(defect)) {
                n += pair.path("counts").path("removed").asInt();
            }
        }
        return n;
    }

    @Test
    void exportMapsManifestNames() throws IOException {
        ok("vocab", "rename", "crack", "fissure");
        Path out = tmp.resolve("export");
        ok("export", "HEAD~1", "--out", out.toString(), "--vocabulary", "current", "--defect", "fissure");
        String manifest = Files.readString(out.resolve("manifest.csv"));
        assertTrue(manifest.contains("fissure"), manifest);
        assertFalse(manifest.contains("crack"), manifest);
        assertEquals(4, manifest.strip().split("\n").length, manifest);
        ok("export", "--verify", out.toString());
    }

    @Test
    void renamedBranchPromotesIntoMain() {
        review("work");
        ok("promote", "work", "--into", "main");
        ok("vocab", "rename", "crack", "fissure");
        review("work");
        JsonNode done = ok("--json", "promote", "work", "--into", "main").json();
        assertTrue(done.path("promoted").asBoolean(), done.toString());
        assertEquals(summary("work"), summary("main"));
        assertEquals(summary("main"), summary("main~1", "--vocabulary", "current"));
    }

    @Test
    void renameRunAgainFinishesConfiguration() throws IOException {
        Path config = library.resolve(".dsv/config.json");
        String before = Files.readString(config);
        ok("vocab", "rename", "crack", "fissure");
        // As if dsv had been killed after the commit, before it wrote the configuration.
        Files.writeString(config, before);
        JsonNode again = ok("--json", "vocab", "rename", "crack", "fissure").json();
        assertTrue(again.path("commit").isNull(), again.toString());
        assertEquals(0, again.path("images").asInt());
        assertTrue(defectTypes().contains("fissure"));
        assertFalse(defectTypes().contains("crack"));
    }

    @Test
    void splitMapsOnlyKnownImages() {
        ok("switch", "-c", "old-line");
        Images.copySample(tmp.resolve("late"), 10);
        ok("add", "../late/cell0009.png", "--prefix", "late", "--cell-type", "poly", "--source", "production",
                "--labeler", "lab-04", "--defect", "crack");
        ok("commit", "-m", "late crack");
        ok("switch", "work");
        Path map = Images.writeLabels(tmp.resolve("map.csv"), "dataset_path,defects",
                "batch/cell0001.png,crack-major",
                "batch/cell0002.png,crack-minor",
                "batch/cell0005.png,crack-minor");
        ok("vocab", "split", "crack", "--map", map.toString());
        ok("switch", "old-line");
        JsonNode mapped = ok("--json", "ls", "--vocabulary", "current").json();
        for (JsonNode image : mapped.path("images")) {
            String type = image.path("defects").isEmpty() ? "none" : image.path("defects").get(0).path("type").asText();
            switch (image.path("path").asText()) {
                case "batch/cell0001.png" -> assertEquals("crack-major", type);
                case "batch/cell0005.png" -> assertEquals("crack-minor", type);
                case "late/cell0009.png" -> assertEquals("crack", type);
                default -> assertNotEquals("crack", type, image.toString());
            }
        }
        rejected(2, "--vocabulary", "ls", "--vocabulary", "newest");
    }

    private boolean verifierAdded;

    /** Samples a revision and passes every sampled label record, as a verifier would before a promotion. */
    private void review(String rev) {
        if (!verifierAdded) {
            ReviewFlow.addVerifier(Dsv::run, library, "senior-01");
            verifierAdded = true;
        }
        ReviewFlow.passAll(Dsv::run, library, rev, "senior-01");
    }
}
