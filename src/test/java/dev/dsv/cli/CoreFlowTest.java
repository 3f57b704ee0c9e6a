package dev.dsv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.Images;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.codec.digest.DigestUtils;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daily loop on the bundled ELPV sample, in-process: add, status, commit, log, show, ls. */
class CoreFlowTest {
    @TempDir
    Path tmp;

    Path library;

    @BeforeEach
    void setUp() {
        library = tmp.resolve("lib");
        assertEquals(0, Dsv.run(tmp, "init", "lib").exitCode());
        assertEquals(0, Dsv.run(tmp.resolve("lib"), "switch", "-c", "work").exitCode());
    }

    private CliResult ok(String... args) {
        CliResult r = Dsv.run(library, args);
        assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r);
        return r;
    }

    private void addSample() {
        ok("add", Images.SAMPLE.resolve("images").toString(), "--labels", Images.SAMPLE.resolve("labels.csv").toString(),
                "--source", "production", "--labeler", "elpv-experts", "--labeled-at", "2018-03-07T00:00:00+01:00");
    }

    /** Counts rows of the sample labels file per "cell_type/defect" and per split, independently of dsv. */
    private static Map<String, Integer> sampleCounts(String cellType, String defect, String split) throws IOException {
        Map<String, Integer> counts = new HashMap<>();
        List<String> lines = Files.readAllLines(Images.SAMPLE.resolve("labels.csv"));
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            String d = f[2].isEmpty() ? "none" : f[2];
            if ((cellType == null || cellType.equals(f[1])) && (defect == null || defect.equals(d))
                    && (split == null || split.equals(f[4]))) {
                counts.merge(f[1] + "/" + d, 1, Integer::sum);
            }
        }
        return counts;
    }

    @Test
    void addStatusCommitLogShow() throws IOException {
        addSample();
        JsonNode status = ok("--json", "status").json();
        assertEquals(1, status.path("schema_version").asInt());
        assertEquals(60, status.path("counts").path("added").asInt());
        assertEquals(60, status.path("changes").size());
        assertTrue(status.path("head").isNull());

        JsonNode commit = ok("--json", "commit", "-m", "ELPV sample", "--committer", "qa-bot").json().path("commit");
        String id = commit.path("id").asText();
        assertEquals(64, id.length());
        assertEquals("qa-bot", commit.path("committer").asText());
        List<String> touches = new ArrayList<>();
        commit.path("touches").forEach(t -> touches.add(t.path("cell_type").asText() + "/" + t.path("defect").asText()));
        assertEquals(List.of("mono/defective", "mono/none", "poly/defective", "poly/none"), touches);
        assertEquals("production", commit.path("sources").get(0).asText());

        assertTrue(ok("status").out().contains("Nothing staged"));
        JsonNode log = ok("--json", "log").json();
        assertEquals(1, log.path("commits").size());
        assertEquals(id, log.path("commits").get(0).path("id").asText());

        JsonNode show = ok("--json", "show", id.substring(0, 8)).json();
        assertEquals(id, show.path("commit").path("id").asText());
        assertEquals(60, show.path("changes").path("added").asInt());
        long total = 0;
        for (JsonNode s : show.path("sub_libraries")) {
            total += s.path("images").asLong();
        }
        assertEquals(60, total);

        JsonNode image = ok("--json", "show", "HEAD:images/cell0001.png").json();
        String sha = DigestUtils.sha256Hex(Files.readAllBytes(Images.SAMPLE.resolve("images/cell0001.png")));
        assertEquals(sha, image.path("image").path("sha256").asText());
        assertEquals("2018-03-07T00:00:00+01:00", image.path("label").path("labeled_at").asText());
        assertEquals("defective", image.path("label").path("defects").get(0).path("type").asText());
    }

    @Test
    void lsFiltersMatchLabelsFile() throws IOException {
        addSample();
        ok("commit", "-m", "sample");
        for (String cell : new String[] {"mono", "poly"}) {
            for (String defect : new String[] {"defective", "none"}) {
                for (String split : new String[] {"train", "val", "test"}) {
                    JsonNode ls = ok("--json", "ls", "HEAD", "--cell-type", cell, "--defect", defect, "--split", split).json();
                    int expected = sampleCounts(cell, defect, split).getOrDefault(cell + "/" + defect, 0);
                    assertEquals(expected, ls.path("images").size(), cell + " " + defect + " " + split);
                    assertEquals(expected, ls.path("count").asInt());
                    for (JsonNode img : ls.path("images")) {
                        assertEquals(cell, img.path("cell_type").asText());
                        assertEquals(split, img.path("split").asText());
                    }
                }
            }
        }
        JsonNode summary = ok("--json", "ls", "--summary").json();
        Map<String, Integer> expected = sampleCounts(null, null, null);
        Map<String, Integer> actual = new HashMap<>();
        summary.path("sub_libraries").forEach(s -> actual.put(s.path("cell_type").asText() + "/" + s.path("defect").asText(),
                s.path("images").asInt()));
        assertEquals(expected, actual);
    }

    @Test
    void reAddUnchangedStagesNothing() {
        addSample();
        ok("commit", "-m", "sample");
        JsonNode again = ok("--json", "add", Images.SAMPLE.resolve("images").toString(), "--labels",
                Images.SAMPLE.resolve("labels.csv").toString(), "--source", "production", "--labeler", "elpv-experts",
                "--labeled-at", "2018-03-07T00:00:00+01:00").json();
        assertEquals(0, again.path("staged").asInt());
        assertEquals(60, again.path("unchanged").asInt());
        assertEquals(9, Dsv.run(library, "commit", "-m", "nothing").exitCode());
    }

    @Test
    void reAddWithoutTimeKeepsRecordedLabel() throws IOException {
        Path batch = tmp.resolve("batch");
        Images.copySample(batch, 3);
        ok("add", batch.toString(), "--cell-type", "mono", "--source", "production", "--labeler", "lab-01");
        ok("commit", "-m", "batch");
        JsonNode again = ok("--json", "add", batch.toString(), "--cell-type", "mono", "--source", "production",
                "--labeler", "lab-01").json();
        assertEquals(0, again.path("staged").asInt(), again.toString());
    }

    @Test
    void relabelSupersedesAndFactsKeepLabel() throws IOException {
        Path batch = tmp.resolve("batch");
        Images.copySample(batch, 3);
        ok("add", batch.toString(), "--cell-type", "mono", "--source", "production", "--labeler", "lab-01");
        ok("commit", "-m", "batch");
        JsonNode before = ok("--json", "show", "HEAD:batch/cell0002.png").json();

        JsonNode relabel = ok("--json", "add", batch.toString(), "--replace", "--cell-type", "mono", "--defect", "crack",
                "--source", "production", "--labeler", "verifier-02").json();
        assertEquals(3, relabel.path("relabeled").asInt(), relabel.toString());
        ok("commit", "-m", "relabel");
        JsonNode after = ok("--json", "show", "HEAD:batch/cell0002.png").json();
        assertEquals(before.path("label").path("id").asText(), after.path("label").path("supersedes").asText());
        assertEquals("crack", after.path("label").path("defects").get(0).path("type").asText());
        assertEquals("verifier-02", after.path("label").path("labeler").asText());

        JsonNode facts = ok("--json", "add", batch.toString(), "--replace", "--cell-type", "mono", "--defect", "crack",
                "--split", "test", "--source", "production", "--labeler", "verifier-02",
                "--labeled-at", after.path("label").path("labeled_at").asText()).json();
        assertEquals(3, facts.path("facts_changed").asInt(), facts.toString());
        ok("commit", "-m", "move to test");
        JsonNode moved = ok("--json", "show", "HEAD:batch/cell0002.png").json();
        assertEquals(after.path("label").path("id").asText(), moved.path("label").path("id").asText());
        assertEquals("test", moved.path("image").path("split").asText());

        JsonNode log = ok("--json", "log", "-n", "2").json();
        assertEquals(2, log.path("commits").size());
        assertEquals("move to test", log.path("commits").get(0).path("message").asText());
        String parent = ok("--json", "show", "HEAD~1").json().path("commit").path("id").asText();
        assertEquals(log.path("commits").get(1).path("id").asText(), parent);
        assertEquals(parent, ok("--json", "show", "HEAD^").json().path("commit").path("id").asText());
        assertNotEquals(parent, ok("--json", "show", "work").json().path("commit").path("id").asText());
    }

    @Test
    void labelsFileInsideFolderIsSkipped() throws IOException {
        Path batch = tmp.resolve("batch-0601");
        Images.copySample(batch, 2);
        Images.writeLabels(batch.resolve("labels.csv"), "path,cell_type,defects,split,line",
                "cell0001.png,TOPCon,microcrack;finger-interruption,train,3", "cell0002.png,topcon,,val,3");
        ok("add", batch.toString(), "--labels", batch.resolve("labels.csv").toString(), "--source", "production",
                "--labeler", "lab-07");
        ok("commit", "-m", "line 3, June 1 batch");
        JsonNode ls = ok("--json", "ls", "HEAD", "--cell-type", "TOPCon", "--defect", "microcrack").json();
        assertEquals(1, ls.path("images").size());
        JsonNode img = ls.path("images").get(0);
        assertEquals("batch-0601/cell0001.png", img.path("path").asText());
        assertEquals("3", img.path("attributes").path("line").asText());
        assertEquals(2, img.path("defects").size());
        assertEquals(1, ok("--json", "ls", "--defect", "none").json().path("count").asInt());
    }

    @Test
    void indexRebuiltAfterLoss() throws IOException {
        addSample();
        ok("commit", "-m", "sample");
        String listing = ok("ls").out();
        for (String name : List.of("index.sqlite", "index.sqlite-wal", "index.sqlite-shm")) {
            Files.deleteIfExists(library.resolve(".dsv").resolve(name));
        }
        assertEquals(listing, ok("ls").out());
        JsonNode re = ok("--json", "reindex").json();
        assertEquals(1, re.path("commits").asInt());
        assertEquals(listing, ok("ls").out());
    }

    @Test
    void regionsRoundTrip() throws IOException {
        Path batch = tmp.resolve("boxes");
        Images.copySample(batch, 1);
        Path csv = tmp.resolve("regions.csv");
        Files.writeString(csv, "path,cell_type,defects,regions\n"
                + "cell0001.png,PERC,crack,\"[{\"\"defect\"\":\"\"crack\"\",\"\"box\"\":[10,20.5,30,40]},"
                + "{\"\"defect\"\":\"\"crack\"\",\"\"polygon\"\":[[1,1],[5,1],[5,5.25]]}]\"\n");
        ok("add", batch.toString(), "--labels", csv.toString(), "--source", "customer", "--labeler", "lab-03");
        ok("commit", "-m", "regions");
        JsonNode regions = ok("--json", "show", "HEAD:boxes/cell0001.png").json().path("label").path("defects").get(0).path("regions");
        assertEquals(2, regions.size());
        assertEquals(20.5, regions.get(0).path("box").get(1).asDouble());
        assertEquals(5.25, regions.get(1).path("polygon").get(2).get(1).asDouble());
    }

    @Test
    void relabelGetsItsOwnTimeAndCommittedPredecessor() throws IOException {
        Path batch = tmp.resolve("batch");
        Images.copySample(batch, 1);
        ok("add", batch.toString(), "--cell-type", "mono", "--source", "production", "--labeler", "lab-01",
                "--labeled-at", "2026-06-01T08:00:00+08:00");
        ok("commit", "-m", "first");
        String committed = ok("--json", "show", "HEAD:batch/cell0001.png").json().path("label").path("id").asText();

        ok("add", batch.toString(), "--replace", "--cell-type", "mono", "--defect", "crack", "--source", "production",
                "--labeler", "lab-02");
        ok("add", batch.toString(), "--replace", "--cell-type", "mono", "--defect", "microcrack", "--source",
                "production", "--labeler", "lab-02");
        ok("commit", "-m", "second");
        JsonNode label = ok("--json", "show", "HEAD:batch/cell0001.png").json().path("label");
        assertEquals(committed, label.path("supersedes").asText(), "supersedes the committed record, not the staged one");
        assertNotEquals("2026-06-01T08:00:00+08:00", label.path("labeled_at").asText(), "a relabel has its own time");

        ok("label", "set", "batch/cell0001.png", "--defect", "crack", "--labeler", "lab-03");
        ok("label", "set", "batch/cell0001.png", "--defect", "microcrack", "--labeler", "lab-02",
                "--labeled-at", label.path("labeled_at").asText());
        assertEquals(0, ok("--json", "status").json().path("changes").size(), "taking a staged relabel back stages nothing");
    }

    @Test
    void reAddRestoresMissingBlob() throws IOException {
        Path batch = tmp.resolve("batch");
        Images.copySample(batch, 2);
        ok("add", batch.toString(), "--cell-type", "mono", "--source", "production", "--labeler", "lab-01");
        ok("commit", "-m", "first");
        try (var packs = Files.list(library.resolve(".dsv/objects/pack"))) {
            for (Path p : packs.filter(f -> f.toString().endsWith(".pack")).toList()) {
                if (Files.size(p) > 20_000) {
                    Files.delete(p);
                    Files.deleteIfExists(Path.of(p.toString().replace(".pack", ".idx")));
                }
            }
        }
        assertEquals(1, Dsv.run(library, "fsck").exitCode());
        ok("add", batch.toString(), "--cell-type", "mono", "--source", "production", "--labeler", "lab-01");
        assertTrue(ok("--json", "fsck").json().path("ok").asBoolean(), "the unchanged re-add stored the blobs again");
    }

    @Test
    void repeatedAddNoticesLabelEdits() throws IOException {
        Path batch = tmp.resolve("batch");
        Images.copySample(batch, 2);
        Path csv = Images.writeLabels(tmp.resolve("labels.csv"), "path,cell_type,defects",
                "cell0001.png,mono,", "cell0002.png,mono,crack");
        String[] add = {"--json", "add", batch.toString(), "--labels", csv.toString(), "--source", "production",
            "--labeler", "lab-01"};
        assertEquals(2, ok(add).json().path("added").asInt());
        assertEquals(2, ok(add).json().path("unchanged").asInt());
        ok("commit", "-m", "first");
        assertEquals(2, ok(add).json().path("unchanged").asInt());

        Images.writeLabels(csv, "path,cell_type,defects", "cell0001.png,mono,dark-spot", "cell0002.png,mono,crack");
        String[] replace = {"--json", "add", batch.toString(), "--labels", csv.toString(), "--source", "production",
            "--labeler", "lab-01", "--replace"};
        JsonNode edited = ok(replace).json();
        assertEquals(1, edited.path("relabeled").asInt(), edited.toString());
        assertEquals(1, edited.path("unchanged").asInt());
        assertEquals(2, ok(replace).json().path("unchanged").asInt());

        ok("rm", "batch/cell0001.png");
        JsonNode restored = ok(replace).json();
        assertEquals(1, restored.path("added").asInt(), "a changed stage is never taken for the remembered one");
    }
}
