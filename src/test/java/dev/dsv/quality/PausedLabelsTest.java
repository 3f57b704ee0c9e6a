package dev.dsv.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.model.MetaRecord;
import dev.dsv.model.ObjectId;
import dev.dsv.model.Times;
import dev.dsv.service.MetaKinds;
import dev.dsv.service.Session;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.Images;
import dev.dsv.testing.RepoSnapshot;
import dev.dsv.testing.ReviewFlow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Labels of a paused labeler at add, label import and label set, and the promote gate. */
class PausedLabelsTest {
    @TempDir
    Path tmp;

    Path library;
    String until;

    @BeforeEach
    void setUp() {
        library = tmp.resolve("lib");
        assertEquals(0, Dsv.run(tmp, "init", "lib", "--time-zone", "UTC").exitCode());
        ok("switch", "-c", "work");
        ok("people", "add", "lab-01", "--role", "labeler");
        ok("people", "add", "lab-02", "--role", "labeler");
        until = LocalDate.now(ZoneOffset.UTC).plusDays(7).toString();
        ok("people", "pause", "lab-01", "--until", until, "--reason", "retraining after gold test");
        Images.copySample(tmp.resolve("batch"), 3);
    }

    private CliResult ok(String... args) {
        CliResult r = Dsv.run(library, args);
        assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r);
        return r;
    }

    private void setPolicy(String pausedLabels) throws IOException {
        Path file = tmp.resolve("policy.json");
        Files.writeString(file, "{\"gates\":[\"verified\",\"labelers-in-good-standing\"],"
                + "\"settings\":{\"labeler.paused_labels\":\"" + pausedLabels + "\"}}");
        ok("policy", "--set", file.toString());
    }

    private List<MetaRecord> records(String kind) {
        List<MetaRecord> out = new ArrayList<>();
        try (Session s = Session.open(library)) {
            for (ObjectId id : s.repository().metadataLog().ids()) {
                MetaRecord r = s.repository().metadataLog().read(id);
                if (r.kind().equals(kind)) {
                    out.add(r);
                }
            }
        }
        return out;
    }

    @Test
    void pausedLabelerRejectedAtAdd() {
        Map<String, String> before = RepoSnapshot.of(library);
        CliResult r = Dsv.run(library, "add", "../batch", "--cell-type", "mono", "--source", "production", "--labeler", "lab-01");
        assertEquals(3, r.exitCode(), r.toString());
        assertTrue(r.err().contains("labeler lab-01 was paused"), r.toString());
        assertTrue(r.err().contains("batch/cell0001.png"), r.toString());
        assertTrue(r.err().contains("until " + until + ": retraining after gold test"), r.toString());
        assertEquals(before, RepoSnapshot.of(library), "nothing staged");
        assertTrue(ok("status").out().contains("Nothing staged"));
    }

    @Test
    void labelsCsvRowNamedWhenRejected() {
        Path labels = Images.writeLabels(tmp.resolve("labels.csv"), "path,cell_type,defects,labeler",
                "cell0001.png,mono,,lab-02", "cell0002.png,mono,crack,lab-01", "cell0003.png,poly,,someone-unregistered");
        Map<String, String> before = RepoSnapshot.of(library);
        CliResult r = Dsv.run(library, "add", "../batch", "--labels", labels.toString(), "--source", "production");
        assertEquals(3, r.exitCode(), r.toString());
        assertTrue(r.err().contains(labels + ":3"), "the row of lab-01 is named\n" + r);
        assertFalse(r.err().contains("someone-unregistered"), "unregistered labelers are accepted\n" + r);
        assertEquals(before, RepoSnapshot.of(library));

        Path earlier = Images.writeLabels(tmp.resolve("earlier.csv"), "path,cell_type,defects,labeler,labeled_at",
                "cell0001.png,mono,,lab-02,", "cell0002.png,mono,crack,lab-01,2026-01-10T08:00:00Z",
                "cell0003.png,poly,,someone-unregistered,");
        JsonNode added = ok("--json", "add", "../batch", "--labels", earlier.toString(), "--source", "production").json();
        assertEquals(3, added.path("added").asInt(), "a label made before the pause is in good standing");
    }

    @Test
    void pausedLabelerRejectedAtLabelImportAndSet() {
        ok("add", "../batch", "--cell-type", "mono", "--source", "production", "--labeler", "lab-02");
        Map<String, String> before = RepoSnapshot.of(library);
        Path relabels = Images.writeLabels(tmp.resolve("relabel.csv"), "dataset_path,defects,labeler",
                "batch/cell0002.png,crack,lab-01");
        CliResult imported = Dsv.run(library, "label", "import", relabels.toString());
        assertEquals(3, imported.exitCode(), imported.toString());
        assertTrue(imported.err().contains(relabels + ":2"), imported.toString());
        assertTrue(imported.err().contains("lab-01"), imported.toString());
        assertEquals(before, RepoSnapshot.of(library));

        CliResult set = Dsv.run(library, "label", "set", "batch/cell0003.png", "--defect", "crack", "--labeler", "lab-01");
        assertEquals(3, set.exitCode(), set.toString());
        assertTrue(set.err().contains("batch/cell0003.png: labeler lab-01 was paused"), set.toString());
        assertEquals(before, RepoSnapshot.of(library));

        ok("label", "set", "batch/cell0003.png", "--defect", "crack", "--labeler", "lab-02");
    }

    @Test
    void futureLabeledAtRejectedAtAddImportAndSet() {
        Map<String, String> empty = RepoSnapshot.of(library);
        CliResult flag = Dsv.run(library, "add", "../batch", "--cell-type", "mono", "--source", "production",
                "--labeler", "lab-02", "--labeled-at", "2099-01-01T00:00:00Z");
        assertEquals(3, flag.exitCode(), flag.toString());
        assertTrue(flag.err().contains("--labeled-at: labeled_at '2099-01-01T00:00:00Z' is in the future"), flag.toString());
        assertEquals(empty, RepoSnapshot.of(library));
        Path future = Images.writeLabels(tmp.resolve("future.csv"), "path,cell_type,labeler,labeled_at",
                "cell0001.png,mono,lab-02,", "cell0002.png,mono,lab-02,2099-01-01T00:00:00Z");
        CliResult row = Dsv.run(library, "add", "../batch", "--labels", future.toString(), "--source", "production",
                "--cell-type", "mono");
        assertEquals(3, row.exitCode(), row.toString());
        assertTrue(row.err().contains(future + ":3: labeled_at '2099-01-01T00:00:00Z' is in the future"), row.toString());
        assertEquals(empty, RepoSnapshot.of(library));

        String soon = java.time.OffsetDateTime.now().plusMinutes(2).toString();
        ok("add", "../batch", "--cell-type", "mono", "--source", "production", "--labeler", "lab-02",
                "--labeled-at", soon);
        Map<String, String> before = RepoSnapshot.of(library);
        Path relabels = Images.writeLabels(tmp.resolve("relabel.csv"), "dataset_path,defects,labeler,labeled_at",
                "batch/cell0002.png,crack,lab-02,2099-01-01T00:00:00Z");
        CliResult imported = Dsv.run(library, "label", "import", relabels.toString());
        assertEquals(3, imported.exitCode(), imported.toString());
        assertTrue(imported.err().contains(relabels + ":2"), imported.toString());
        assertEquals(before, RepoSnapshot.of(library));
        CliResult set = Dsv.run(library, "label", "set", "batch/cell0003.png", "--defect", "crack", "--labeler", "lab-02",
                "--labeled-at", "2099-01-01T00:00:00Z");
        assertEquals(3, set.exitCode(), set.toString());
        assertTrue(set.err().contains("--labeled-at"), set.toString());
        assertEquals(before, RepoSnapshot.of(library));
    }

    @Test
    void fullReviewStagesAndMarks() throws IOException {
        setPolicy("full-review");
        JsonNode added = ok("--json", "add", "../batch", "--cell-type", "mono", "--source", "production",
                "--labeler", "lab-01").json();
        assertEquals(3, added.path("staged").asInt());
        assertEquals(3, added.path("marked_for_full_review").asInt());
        List<MetaRecord> marks = records(MetaKinds.FULL_REVIEW);
        assertEquals(3, marks.size());
        List<String> stagedLabels = new ArrayList<>();
        try (Session s = Session.open(library)) {
            s.trees().walk(s.stage().tree(), (path, e) -> stagedLabels.add(e.label().hex()));
        }
        assertEquals(3, stagedLabels.size());
        for (MetaRecord m : marks) {
            assertEquals("lab-01", m.body().get("labeler"));
            assertTrue(String.valueOf(m.body().get("reason")).contains("retraining after gold test"));
            assertTrue(stagedLabels.contains(m.subject().hex()), "each mark names a staged label record");
        }

        JsonNode set = ok("--json", "label", "set", "batch/cell0001.png", "--defect", "crack", "--labeler", "lab-01").json();
        assertEquals(1, set.path("marked_for_full_review").asInt());
        JsonNode byOther = ok("--json", "label", "set", "batch/cell0002.png", "--defect", "crack", "--labeler", "lab-02").json();
        assertEquals(0, byOther.path("marked_for_full_review").asInt());
        assertEquals(4, records(MetaKinds.FULL_REVIEW).size());
    }

    @Test
    void pausedLabelsSettingChecked() throws IOException {
        Path file = tmp.resolve("typo.json");
        Files.writeString(file, "{\"gates\":[\"verified\"],\"settings\":{\"labeler.paused_labels\":\"full_review\"}}");
        Map<String, String> before = RepoSnapshot.of(library);
        CliResult r = Dsv.run(library, "policy", "--set", file.toString());
        assertEquals(3, r.exitCode(), r.toString());
        assertTrue(r.err().contains("use one of refuse, full-review"), r.toString());
        assertEquals(before, RepoSnapshot.of(library));
    }

    @Test
    void gateRejectsLabelsMadeWhilePaused() throws IOException {
        setPolicy("full-review");
        ok("add", "../batch", "--cell-type", "mono", "--source", "production", "--labeler", "lab-01");
        ok("commit", "-m", "labels of a paused labeler");
        CliResult refused = Dsv.run(library, "--json", "promote", "work");
        assertEquals(1, refused.exitCode(), refused.toString());
        JsonNode gate = gate(refused.json(), "labelers-in-good-standing");
        assertFalse(gate.path("passed").asBoolean());
        assertEquals(3, gate.path("offending").asInt());
        String example = gate.path("examples").get(0).asText();
        assertTrue(example.startsWith("batch/cell0001.png: labeler lab-01"), example);
        assertTrue(example.contains("paused until " + until), example);

        // A verifier's pass in review lets one record through; the other two still fail.
        try (Session s = Session.open(library)) {
            var lock = s.lock("test");
            s.repository().metadataLog().append(new MetaRecord(MetaKinds.REVIEW_DECISION,
                    ObjectId.parse(labelOf("batch/cell0001.png")), "senior-01", Times.now(), Map.of("decision", "pass")));
            lock.close();
        }
        JsonNode again = gate(Dsv.run(library, "--json", "promote", "work", "--dry-run").json(), "labelers-in-good-standing");
        assertEquals(2, again.path("offending").asInt());

        // A later reject of the same record is the decision in force.
        try (Session s = Session.open(library)) {
            var lock = s.lock("test");
            s.repository().metadataLog().append(new MetaRecord(MetaKinds.REVIEW_DECISION,
                    ObjectId.parse(labelOf("batch/cell0001.png")), "senior-02", Times.now().plusSeconds(1),
                    Map.of("decision", "reject")));
            lock.close();
        }
        JsonNode rejected = gate(Dsv.run(library, "--json", "promote", "work", "--dry-run").json(), "labelers-in-good-standing");
        assertEquals(3, rejected.path("offending").asInt());
    }

    @Test
    void gatePassesLabelsInGoodStanding() {
        ok("add", "../batch", "--cell-type", "mono", "--source", "production", "--labeler", "lab-02");
        ok("commit", "-m", "labels in good standing");
        ReviewFlow.addVerifier(Dsv::run, library, "senior-01");
        ReviewFlow.passAll(Dsv::run, library, "work", "senior-01");
        JsonNode report = ok("--json", "promote", "work").json();
        JsonNode gate = gate(report, "labelers-in-good-standing");
        assertTrue(gate.path("passed").asBoolean());
        assertEquals(3, gate.path("checked").asInt());
        assertTrue(report.path("promoted").asBoolean());
    }

    private String labelOf(String path) {
        for (JsonNode image : ok("--json", "ls", "work").json().path("images")) {
            if (image.path("path").asText().equals(path)) {
                return image.path("label").asText();
            }
        }
        throw new AssertionError("no image " + path);
    }

    private static JsonNode gate(JsonNode report, String name) {
        for (JsonNode g : report.path("gates")) {
            if (g.path("gate").asText().equals(name)) {
                return g;
            }
        }
        throw new AssertionError("no gate " + name + " in " + report);
    }
}
