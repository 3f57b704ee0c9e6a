package dev.dsv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dsv.model.CanonicalJson;
import dev.dsv.model.ImageEntry;
import dev.dsv.model.ObjectId;
import dev.dsv.model.ObjectType;
import dev.dsv.repo.Stage;
import dev.dsv.service.Session;
import dev.dsv.store.ObjectStore;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.Images;
import dev.dsv.testing.RepoSnapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.apache.commons.codec.digest.DigestUtils;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Feature vectors: import, commit, show, export, fsck, gc, rejected input and format 3. */
class FeaturesTest {
    @TempDir
    Path tmp;

    Path library;
    List<Path> images;

    @BeforeEach
    void setUp() {
        library = tmp.resolve("lib");
        ok(tmp, "init", "lib");
        ok(library, "switch", "-c", "work");
        images = Images.copySample(tmp.resolve("batch"), 4);
        ok(library, "add", "../batch", "--cell-type", "mono", "--source", "production", "--labeler", "lab-01");
        ok(library, "commit", "-m", "batch");
    }

    private static CliResult ok(Path dir, String... args) {
        CliResult r = Dsv.run(dir, args);
        assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r);
        return r;
    }

    private Path write(String name, String... lines) throws IOException {
        return Files.writeString(tmp.resolve(name), String.join("\n", lines) + "\n");
    }

    private Path clipCsv() throws IOException {
        return write("clip.csv",
                "dataset_path,f0,f1,f2",
                "batch/cell0001.png,0.10000000149011612,1e-3,-0.0",
                "batch/cell0002.png,0.5,-2.25,3",
                "batch/cell0003.png,1.23456789012,0,7",
                "batch/cell0004.png,1,2,3");
    }

    private static String sha256(Path file) throws IOException {
        return DigestUtils.sha256Hex(Files.readAllBytes(file));
    }

    @Test
    void importCommitShowAndExport() throws IOException {
        JsonNode imported = ok(library, "--json", "features", "import", clipCsv().toString(), "--name", "clip").json();
        assertEquals(4, imported.path("rows").asInt());
        assertEquals(4, imported.path("changed").asInt());
        assertEquals(3, imported.path("dimensions").asInt());
        JsonNode status = ok(library, "--json", "status").json();
        assertEquals(4, status.path("counts").path("features").asInt(), status.toString());
        ok(library, "commit", "-m", "clip vectors");

        JsonNode shown = ok(library, "--json", "show", "HEAD:batch/cell0001.png").json();
        String clipId = shown.path("image").path("features").path("clip").asText();
        assertEquals(64, clipId.length(), shown.toString());
        assertTrue(ok(library, "show", "HEAD:batch/cell0001.png").out().contains("clip (3 dimensions)"));
        assertTrue(ok(library, "--json", "show", "HEAD~1:batch/cell0001.png").json().path("image")
                .path("features").isMissingNode(), "the earlier commit has no vectors");
        JsonNode listed = ok(library, "--json", "ls").json().path("images").get(0);
        assertEquals(clipId, listed.path("features").path("clip").asText(), listed.toString());
        ok(library, "reindex");
        JsonNode reindexed = ok(library, "--json", "ls").json().path("images").get(0);
        assertEquals(clipId, reindexed.path("features").path("clip").asText(), "the rebuilt index keeps the vector ids");

        // A second feature set keyed by blob hash, from JSONL.
        Path emb = write("emb.jsonl",
                "{\"sha256\": \"" + sha256(images.get(0)) + "\", \"vector\": [1, 2]}",
                "",
                "{\"path\": \"batch/cell0002.png\", \"vector\": [3.5, -4]}");
        assertEquals(2, ok(library, "--json", "features", "import", emb.toString(), "--name", "emb").json()
                .path("changed").asInt());
        ok(library, "commit", "-m", "emb vectors");
        JsonNode features = ok(library, "--json", "show", "HEAD:batch/cell0001.png").json().path("image").path("features");
        assertEquals(clipId, features.path("clip").asText(), "the clip vector stays");
        assertEquals(64, features.path("emb").asText().length());

        JsonNode fsck = ok(library, "--json", "fsck").json();
        assertTrue(fsck.path("ok").asBoolean(), fsck.toString());
        assertEquals(6, fsck.path("checked").path("vector").asInt(), fsck.toString());

        // The manifest carries the stored values: 9 significant digits, plain decimals.
        Path out = tmp.resolve("out");
        ok(library, "export", "--out", out.toString(), "--manifest", "jsonl", "--features", "clip", "--features", "emb");
        List<JsonNode> rows = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("manifest.jsonl"))) {
            rows.add(new ObjectMapper().readTree(line));
        }
        assertEquals(4, rows.size());
        String firstClip = rows.get(0).path("features").path("clip").toString();
        assertEquals("[0.100000001,0.001,0]", firstClip);
        assertEquals("[1.23456789,0,7]", rows.get(2).path("features").path("clip").toString());
        assertEquals("[1,2]", rows.get(0).path("features").path("emb").toString());
        assertTrue(rows.get(3).path("features").path("emb").isNull(), rows.get(3).toString());
        JsonNode verify = ok(library, "--json", "export", "--verify", out.toString()).json();
        assertTrue(verify.path("ok").asBoolean(), verify.toString());

        // A misspelt or repeated feature-set name is refused before anything is written.
        rejected(3, "clip, emb", "export", "--out", tmp.resolve("typo").toString(), "--manifest", "jsonl",
                "--features", "clpi");
        rejected(2, "twice", "export", "--out", tmp.resolve("twice").toString(), "--manifest", "jsonl",
                "--features", "clip", "--features", "clip");
        assertFalse(Files.exists(tmp.resolve("typo")));
    }

    @Test
    void editsKeepVectors() throws IOException {
        ok(library, "features", "import", clipCsv().toString(), "--name", "clip");
        ok(library, "commit", "-m", "clip vectors");
        String before = ok(library, "--json", "show", "HEAD:batch/cell0002.png").json().path("image")
                .path("features").path("clip").asText();

        // Adding the same files again changes nothing: the vectors belong to the same blobs.
        ok(library, "add", "../batch", "--cell-type", "mono", "--source", "production", "--labeler", "lab-01");
        assertEquals(0, ok(library, "--json", "status").json().path("changes").size());

        ok(library, "set", "batch/cell0002.png", "--split", "train");
        ok(library, "label", "set", "batch/cell0002.png", "--defect", "crack", "--labeler", "lab-02");
        ok(library, "mv", "batch/cell0002.png", "batch/moved.png");
        ok(library, "commit", "-m", "edits");
        assertEquals(before, ok(library, "--json", "show", "HEAD:batch/moved.png").json().path("image")
                .path("features").path("clip").asText());

        // A vocabulary change rebuilds entries from the index, which keeps the vector ids.
        ok(library, "vocab", "rename", "crack", "fissure");
        JsonNode renamed = ok(library, "--json", "show", "HEAD:batch/moved.png").json();
        assertEquals("fissure", renamed.path("label").path("defects").get(0).path("type").asText(), renamed.toString());
        assertEquals(before, renamed.path("image").path("features").path("clip").asText());
        assertEquals(4, ok(library, "--json", "fsck").json().path("checked").path("vector").asInt());
    }

    @Test
    void removingVectorsRestoresTreeId() throws IOException {
        String tree = ok(library, "--json", "status").json().path("stage_tree").asText();
        ok(library, "features", "import", clipCsv().toString(), "--name", "clip");
        assertNotEquals(tree, ok(library, "--json", "status").json().path("stage_tree").asText());

        JsonNode removed = ok(library, "--json", "features", "rm", "--name", "clip").json();
        assertEquals(4, removed.path("removed").asInt());
        assertEquals(tree, ok(library, "--json", "status").json().path("stage_tree").asText(),
                "an entry without vectors encodes as before");
        assertEquals(9, Dsv.run(library, "commit", "-m", "nothing").exitCode());
    }

    @Test
    void gcKeepsCommittedVectors() throws IOException {
        ok(library, "features", "import", clipCsv().toString(), "--name", "clip");
        ok(library, "commit", "-m", "clip vectors");
        Path scratch = write("scratch.csv", "path,a", "batch/cell0001.png,42");
        ok(library, "features", "import", scratch.toString(), "--name", "scratch");
        ok(library, "features", "rm", "--name", "scratch", "batch");

        JsonNode gc = ok(library, "--json", "gc", "--grace", "0").json();
        List<String> deletedVectors = new ArrayList<>();
        gc.path("objects").forEach(o -> {
            if (o.path("type").asText().equals("vector")) {
                deletedVectors.add(o.path("id").asText());
            }
        });
        assertEquals(1, deletedVectors.size(), "only the removed scratch vector goes: " + gc);

        JsonNode fsck = ok(library, "--json", "fsck").json();
        assertTrue(fsck.path("ok").asBoolean(), fsck.toString());
        assertEquals(4, fsck.path("checked").path("vector").asInt(), fsck.toString());
        assertTrue(ok(library, "show", "HEAD:batch/cell0004.png").out().contains("clip (3 dimensions)"));
    }

    @Test
    void fsckAndVerifyReportCorruptVector() {
        // Ten significant digits: a vector that dsv never writes, so its re-encoding differs.
        String text = "{\"dimensions\":1,\"type\":\"vector\",\"v\":1,\"values\":[0.1234567891]}";
        ObjectId bad;
        try (Session session = Session.open(library);
             ObjectStore.Inserter inserter = session.repository().store().newInserter()) {
            bad = inserter.insert(ObjectType.VECTOR, text.getBytes(StandardCharsets.UTF_8));
            Stage stage = session.stage();
            ImageEntry entry = session.trees().lookup(stage.tree(), "batch/cell0001.png");
            SortedMap<String, ObjectId> features = CanonicalJson.newObject();
            features.put("clip", bad);
            ObjectId tree = session.trees().apply(stage.tree(), Map.of("batch/cell0001.png", entry.withFeatures(features)),
                    inserter);
            inserter.flush();
            session.repository().writeStage(new Stage(stage.base(), tree));
        }
        ok(library, "commit", "-m", "damaged vector");

        CliResult fsck = Dsv.run(library, "--json", "fsck");
        assertEquals(1, fsck.exitCode(), fsck.toString());
        JsonNode corrupt = fsck.json().path("corrupt");
        assertEquals(1, corrupt.size(), fsck.toString());
        assertEquals(bad.hex(), corrupt.get(0).path("id").asText());
        assertEquals("vector", corrupt.get(0).path("type").asText());

        CliResult verify = Dsv.run(library, "--json", "verify");
        assertEquals(1, verify.exitCode(), verify.toString());
        assertEquals(bad.hex(), verify.json().path("problems").get(0).path("id").asText(), verify.toString());
    }

    @Test
    void badInputLeavesRepositoryUnchanged() throws IOException {
        ok(library, "features", "import", clipCsv().toString(), "--name", "clip");
        ok(library, "commit", "-m", "clip vectors");
        String sha = sha256(images.get(0));
        Object[][] cases = {
            {write("unknown.csv", "dataset_path,a", "batch/cell0001.png,1", "batch/nope.png,2"), "unknown.csv:3"},
            {write("blob.csv", "sha256,a", "0".repeat(64) + ",1"), "blob.csv:2"},
            {write("word.csv", "path,a,b", "batch/cell0001.png,1,abc"), "word.csv:2"},
            {write("nan.csv", "path,a", "batch/cell0001.png,NaN"), "nan.csv:2"},
            {write("inf.csv", "path,a", "batch/cell0001.png,-Infinity"), "inf.csv:2"},
            {write("huge.csv", "path,a", "batch/cell0001.png,1e39"), "huge.csv:2"},
            {write("ragged.csv", "path,a,b", "batch/cell0001.png,1,2", "batch/cell0002.png,1"), "ragged.csv:3"},
            {write("twice.csv", "path,a", "batch/cell0001.png,1", "batch/cell0002.png,2", "batch/cell0001.png,3"),
                "twice.csv:4"},
            {write("both.jsonl", "{\"path\": \"batch/cell0001.png\", \"vector\": [1]}",
                "{\"sha256\": \"" + sha + "\", \"vector\": [2]}"), "both.jsonl:2"},
            {write("ragged.jsonl", "{\"path\": \"batch/cell0001.png\", \"vector\": [1, 2]}",
                "{\"path\": \"batch/cell0002.png\", \"vector\": [1, 2, 3]}"), "ragged.jsonl:2"},
            {write("nan.jsonl", "{\"path\": \"batch/cell0001.png\", \"vector\": [NaN]}"), "nan.jsonl:1"},
            {write("text.jsonl", "{\"path\": \"batch/cell0001.png\", \"vector\": [\"1\"]}"), "text.jsonl:1"},
            {write("nokey.jsonl", "{\"vector\": [1]}"), "nokey.jsonl:1"},
            {write("empty.csv", "path,a"), "has no rows"},
        };
        for (Object[] c : cases) {
            rejected(3, c[1].toString(), "features", "import", c[0].toString(), "--name", "extra");
        }
        // The clip set has 3 dimensions; a partial re-import with 2 would mix dimensions.
        rejected(3, "dims.csv:2", "features", "import",
                write("dims.csv", "path,a,b", "batch/cell0001.png,1,2").toString(), "--name", "clip");
        rejected(3, "invalid feature-set name", "features", "import", clipCsv().toString(), "--name", "Bad Name");
        rejected(2, "--name", "features", "import", clipCsv().toString());
        rejected(2, "--manifest jsonl", "export", "--out", tmp.resolve("x").toString(), "--features", "clip");
        assertFalse(Files.exists(tmp.resolve("x")));
    }

    private void rejected(int exit, String text, String... args) {
        Map<String, String> before = RepoSnapshot.of(library);
        CliResult r = Dsv.run(library, args);
        assertEquals(exit, r.exitCode(), String.join(" ", args) + "\n" + r);
        assertTrue(r.err().contains(text), "message should contain '" + text + "':\n" + r);
        assertEquals(before, RepoSnapshot.of(library), "repository changed by: " + String.join(" ", args));
    }

    @Test
    void formatTwoRefusesUntilMigrated() throws IOException {
        Files.writeString(library.resolve(".dsv/format"), "dsv-repository 2\n");
        rejected(3, "dsv migrate", "features", "import", clipCsv().toString(), "--name", "clip");

        JsonNode migrated = ok(library, "--json", "migrate").json();
        assertEquals(2, migrated.path("from").asInt());
        assertEquals(3, migrated.path("to").asInt());
        assertEquals("dsv-repository 3", Files.readString(library.resolve(".dsv/format")).strip());
        ok(library, "features", "import", clipCsv().toString(), "--name", "clip");
        ok(library, "commit", "-m", "clip vectors");
    }
}
