package dev.dsv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.Images;
import dev.dsv.testing.RepoSnapshot;
import dev.dsv.testing.TinyPng;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sampled review: the draw, the sheet, decisions, derived status, the gate and export exclusion. */
class ReviewTest {
    @TempDir
    Path tmp;

    Path library;

    @BeforeEach
    void setUp() {
        library = tmp.resolve("lib");
        assertEquals(0, Dsv.run(tmp, "init", "lib", "--time-zone", "Asia/Shanghai").exitCode());
        ok("switch", "-c", "work");
        ok("people", "add", "senior-01", "--role", "verifier");
    }

    private CliResult ok(String... args) {
        CliResult r = Dsv.run(library, args);
        assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r);
        return r;
    }

    /** Adds {@code n} generated images under {@code folder}, each labeled at the given local time. */
    private void addBatch(String folder, int n, String labeledAt, String cellType, String defect) throws IOException {
        Path dir = tmp.resolve("in-" + folder);
        Files.createDirectories(dir);
        StringBuilder csv = new StringBuilder("path,cell_type,defects,labeled_at\n");
        for (int i = 0; i < n; i++) {
            String name = String.format("cell%04d.png", i);
            TinyPng.write(dir.resolve(name), 8, 8, (folder + i).hashCode());
            csv.append(name).append(',').append(cellType).append(',').append(defect).append(',').append(labeledAt)
                    .append('\n');
        }
        Path labels = tmp.resolve(folder + ".csv");
        Files.writeString(labels, csv);
        ok("add", dir.toString(), "--prefix", folder, "--labels", labels.toString(), "--source", "production",
                "--labeler", "lab-01");
    }

    private JsonNode sample(String... extra) {
        List<String> args = new ArrayList<>(List.of("--json", "review", "sample"));
        args.addAll(List.of(extra));
        return ok(args.toArray(String[]::new)).json();
    }

    private Map<String, Integer> itemsPerDay(JsonNode sample) {
        Map<String, Integer> out = new HashMap<>();
        sample.path("items").forEach(i -> out.merge(i.path("day").asText(), 1, Integer::sum));
        return out;
    }

    private Path decisions(String header, String... rows) throws IOException {
        Path file = tmp.resolve("decisions-" + System.nanoTime() + ".csv");
        Files.writeString(file, header + "\n" + String.join("\n", rows) + "\n");
        return file;
    }

    private String head(String branch) {
        return ok("--json", "log", branch, "-n", "1").json().path("commits").get(0).path("id").asText();
    }

    @Test
    void sampleIsFivePercentPerLocalDay() throws IOException {
        // 23:30 in Shanghai on June 1 is 15:30 UTC on June 1; 00:30 on June 2 is 16:30 UTC on June 1.
        addBatch("day1", 100, "2026-06-01T23:30:00+08:00", "mono", "");
        addBatch("day2", 41, "2026-06-02T00:30:00+08:00", "mono", "crack");
        addBatch("day2utc", 3, "2026-06-01T16:45:00Z", "poly", "");
        ok("commit", "-m", "three batches");
        JsonNode s = sample();
        Map<String, Integer> perDay = itemsPerDay(s);
        assertEquals(5, perDay.get("2026-06-01"), "5% of 100: " + perDay);
        assertEquals(3, perDay.get("2026-06-02"), "ceil(5% of 44) = 3, the UTC-16:45 labels count as June 2: " + perDay);
        assertEquals(2, perDay.size());
        assertEquals(144, s.path("population").asInt());
        assertTrue(s.path("recorded").asBoolean());
    }

    @Test
    void atLeastOnePerGroupAndPerStratum() throws IOException {
        addBatch("a", 10, "2026-06-01T10:00:00+08:00", "mono", "crack");
        ok("commit", "-m", "a");
        addBatch("b", 4, "2026-06-01T11:00:00+08:00", "poly", "");
        ok("commit", "-m", "b");
        JsonNode byCommit = sample("--by", "commit", "--seed", "s1");
        Set<String> commits = new HashSet<>();
        byCommit.path("items").forEach(i -> commits.add(i.path("commit").asText()));
        assertEquals(2, commits.size(), "one or more items per commit: " + byCommit.path("items"));
        assertEquals(2, byCommit.path("items").size(), "ceil(0.05 x 10) = 1 and max(1, ceil(0.05 x 4)) = 1");
    }

    @Test
    void stratifiedSampleCoversEveryStratum() throws IOException {
        addBatch("a", 30, "2026-06-01T10:00:00+08:00", "mono", "crack");
        addBatch("b", 5, "2026-06-01T11:00:00+08:00", "mono", "");
        addBatch("c", 2, "2026-06-01T12:00:00+08:00", "poly", "crack");
        ok("commit", "-m", "three strata");
        JsonNode s = sample("--stratify", "cell-type,defect");
        Map<String, Integer> perStratum = new HashMap<>();
        s.path("items").forEach(i -> perStratum.merge(i.path("stratum").asText(), 1, Integer::sum));
        assertEquals(Map.of("mono/crack", 2, "mono/none", 1, "poly/crack", 1), perStratum);
    }

    @Test
    void sameRequestReturnsRecordedSample() throws IOException {
        addBatch("a", 60, "2026-06-01T10:00:00+08:00", "mono", "");
        ok("commit", "-m", "a");
        Map<String, String> before = RepoSnapshot.of(library);
        JsonNode first = sample("--seed", "42");
        Map<String, String> afterFirst = RepoSnapshot.of(library);
        assertNotEquals(before, afterFirst, "the first draw is recorded");
        JsonNode again = sample("--seed", "42");
        assertEquals(afterFirst, RepoSnapshot.of(library), "a repeat records nothing");
        assertTrue(again.path("reused").asBoolean());
        assertEquals(first.path("sample").asText(), again.path("sample").asText());
        assertEquals(first.path("items"), again.path("items"));

        JsonNode otherSeed = sample("--seed", "43");
        assertEquals(0, otherSeed.path("items").size(), "every commit is covered by the first sample");
        assertFalse(otherSeed.path("recorded").asBoolean());
    }

    @Test
    void drawDependsOnSeedOnly() throws IOException {
        addBatch("a", 80, "2026-06-01T10:00:00+08:00", "mono", "");
        ok("commit", "-m", "a");
        Path copy = tmp.resolve("copy");
        JsonNode s1 = sample("--seed", "fixed");
        // A second library with the same images and labels, added in another order of folders.
        assertEquals(0, Dsv.run(tmp, "init", "copy", "--time-zone", "Asia/Shanghai").exitCode());
        assertEquals(0, Dsv.run(copy, "switch", "-c", "work").exitCode());
        Path labels = tmp.resolve("a.csv");
        assertEquals(0, Dsv.run(copy, "add", tmp.resolve("in-a").toString(), "--prefix", "a", "--labels",
                labels.toString(), "--source", "production", "--labeler", "lab-01").exitCode());
        assertEquals(0, Dsv.run(copy, "commit", "-m", "same batch").exitCode());
        JsonNode s2 = Dsv.run(copy, "--json", "review", "sample", "--seed", "fixed").json();
        List<String> l1 = new ArrayList<>();
        List<String> l2 = new ArrayList<>();
        s1.path("items").forEach(i -> l1.add(i.path("label").asText()));
        s2.path("items").forEach(i -> l2.add(i.path("label").asText()));
        assertEquals(4, l1.size());
        assertEquals(l1, l2, "the same records and seed give the same draw in another repository");
    }

    @Test
    void sheetCsvHasItemsAndExport() throws IOException {
        Images.copySample(tmp.resolve("real"), 20);
        ok("add", "../real", "--cell-type", "mono", "--source", "production", "--labeler", "lab-02",
                "--labeled-at", "2026-06-03T09:00:00+08:00", "--defect", "crack");
        ok("commit", "-m", "real");
        Path sheet = tmp.resolve("sheet.csv");
        Path images = tmp.resolve("to-review");
        ok("review", "sample", "--out", sheet.toString(), "--export", images.toString());
        List<String> lines = Files.readAllLines(sheet);
        assertEquals("label,path,commit,day,stratum,cell_type,current_defects,labeler,labeled_at,sha256,image,"
                + "decision,defects,note", lines.get(0));
        assertEquals(2, lines.size(), "one item: ceil(0.05 x 20)");
        String[] cells = lines.get(1).split(",", -1);
        assertEquals("2026-06-03", cells[3]);
        assertEquals("crack", cells[6]);
        assertEquals("lab-02", cells[7]);
        Path file = Path.of(cells[10]);
        assertTrue(file.startsWith(images), cells[10]);
        assertEquals(cells[9], org.apache.commons.codec.digest.DigestUtils.sha256Hex(Files.readAllBytes(file)),
                "the exported image is the sampled record's image");

        CliResult jsonl = ok("review", "sample", "--format", "jsonl");
        JsonNode row = new com.fasterxml.jackson.databind.ObjectMapper().readTree(jsonl.out().lines().findFirst().get());
        assertEquals(cells[0], row.path("label").asText(), "the repeated request prints the recorded sample");
        assertEquals("crack", row.path("current_defects").get(0).asText());
    }

    @Test
    void gateBlocksPendingThenPassesAfterReview() throws IOException {
        addBatch("a", 40, "2026-06-01T10:00:00+08:00", "mono", "");
        ok("commit", "-m", "a");
        String commit = head("work");
        CliResult refused = Dsv.run(library, "--json", "promote", "work");
        assertEquals(1, refused.exitCode(), refused.toString());
        JsonNode gate = refused.json().path("gates").get(0);
        assertEquals("verified", gate.path("gate").asText());
        assertTrue(gate.path("examples").get(0).asText().startsWith(commit + ": pending (not sampled"),
                gate.toString());

        JsonNode s = sample();
        assertEquals(2, s.path("items").size());
        assertEquals("pending", statusOf(commit));
        String first = s.path("items").get(0).path("label").asText();
        ok("review", "record", "--verifier", "senior-01", "--label", first, "--pass");
        CliResult stillPending = Dsv.run(library, "--json", "promote", "work");
        assertEquals(1, stillPending.exitCode());
        assertTrue(stillPending.json().path("gates").get(0).path("examples").get(0).asText()
                .contains("pending (2026-06-01 pending 1/2 decided"), stillPending.toString());

        String second = s.path("items").get(1).path("path").asText();
        ok("review", "record", "--verifier", "senior-01", "--path", second, "--pass", "--note", "fine");
        assertEquals("verified", statusOf(commit));
        JsonNode done = ok("--json", "promote", "work").json();
        assertTrue(done.path("promoted").asBoolean());
    }

    private String statusOf(String commit) {
        JsonNode status = ok("--json", "review", "status").json();
        for (JsonNode c : status.path("commits")) {
            if (c.path("commit").asText().equals(commit)) {
                return c.path("status").asText();
            }
        }
        throw new AssertionError("commit " + commit + " not in " + status);
    }

    @Test
    void rejectRateDecidesVerifiedOrFailed() throws IOException {
        addBatch("a", 40, "2026-06-01T10:00:00+08:00", "mono", "");
        ok("commit", "-m", "a");
        String a = head("work");
        addBatch("b", 40, "2026-06-02T10:00:00+08:00", "mono", "");
        ok("commit", "-m", "b");
        String b = head("work");
        JsonNode s = sample();
        List<String> dayA = new ArrayList<>();
        List<String> dayB = new ArrayList<>();
        s.path("items").forEach(i -> (i.path("day").asText().equals("2026-06-01") ? dayA : dayB)
                .add(i.path("label").asText()));
        assertEquals(2, dayA.size());
        assertEquals(2, dayB.size());
        Path file = decisions("label,decision", dayA.get(0) + ",pass", dayA.get(1) + ",pass", dayB.get(0) + ",pass",
                dayB.get(1) + ",reject");
        ok("review", "record", file.toString(), "--verifier", "senior-01");
        assertEquals("verified", statusOf(a));
        assertEquals("failed", statusOf(b), "1 of 2 rejected is over the default 5%");

        Path lenient = tmp.resolve("lenient.json");
        Files.writeString(lenient, "{\"gates\": [\"verified\"], \"settings\": {\"review.max_reject_rate\": 0.5}}");
        ok("policy", "--branch", "work", "--set", lenient.toString());
        assertEquals("failed", statusOf(b), "main's policy sets the threshold by default");
        JsonNode intoWork = ok("--json", "review", "status", "--into", "work").json();
        assertEquals("work", intoWork.path("policy_branch").asText());
        assertEquals("verified", intoWork.path("commits").get(0).path("status").asText(),
                "1 of 2 is within the 50% limit of the work branch's policy");
    }

    @Test
    void relabelCommitsAndCountsAsVerified() throws IOException {
        addBatch("a", 20, "2026-06-01T10:00:00+08:00", "mono", "");
        ok("commit", "-m", "a");
        JsonNode item = sample().path("items").get(0);
        String oldLabel = item.path("label").asText();
        String path = item.path("path").asText();
        JsonNode r = ok("--json", "review", "record", "--verifier", "senior-01", "--label", oldLabel,
                "--relabel", "crack,microcrack").json();
        assertEquals(1, r.path("relabeled").asInt());
        String relabelCommit = r.path("relabel_commit").asText();
        assertEquals(relabelCommit, head("work"));
        JsonNode label = ok("--json", "show", "work:" + path).json().path("label");
        assertEquals("senior-01", label.path("labeler").asText());
        assertEquals(oldLabel, label.path("supersedes").asText());
        assertEquals(2, label.path("defects").size());
        assertEquals("verified", statusOf(relabelCommit));
        assertEquals("failed", statusOf(head("work~1")), "a relabel counts against the reject rate (1 of 1)");

        JsonNode next = sample();
        assertEquals(0, next.path("items").size(), "the relabel commit has nothing to review");
        CliResult again = Dsv.run(library, "review", "record", "--verifier", "senior-01", "--label", oldLabel, "--pass");
        assertEquals(3, again.exitCode(), again.toString());
        assertTrue(again.err().contains("already relabeled"), again.toString());
    }

    @Test
    void rejectLeavesImageOutOfExport() throws IOException {
        addBatch("a", 20, "2026-06-01T10:00:00+08:00", "mono", "");
        ok("commit", "-m", "a");
        JsonNode item = sample().path("items").get(0);
        ok("review", "record", "--verifier", "senior-01", "--label", item.path("label").asText(), "--reject");
        Path out = tmp.resolve("export");
        JsonNode e = ok("--json", "export", "--out", out.toString()).json();
        assertEquals(19, e.path("images").asInt());
        assertEquals(1, e.path("rejected_excluded").asInt());
        assertFalse(Files.exists(out.resolve(item.path("path").asText())));
        JsonNode meta = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.resolve("dsv-export.json").toFile());
        assertEquals(1, meta.path("rejected_excluded").asInt());
        assertFalse(meta.path("include_rejected").asBoolean());
        assertEquals(0, Dsv.run(library, "export", "--verify", out.toString()).exitCode());

        Path all = tmp.resolve("export-all");
        JsonNode included = ok("--json", "export", "--out", all.toString(), "--include-rejected").json();
        assertEquals(20, included.path("images").asInt());
        assertTrue(new com.fasterxml.jackson.databind.ObjectMapper().readTree(all.resolve("dsv-export.json").toFile())
                .path("include_rejected").asBoolean());

        ok("label", "set", item.path("path").asText(), "--defect", "crack", "--labeler", "lab-03");
        ok("commit", "-m", "relabel the rejected image");
        Path after = tmp.resolve("export-after");
        assertEquals(20, ok("--json", "export", "--out", after.toString()).json().path("images").asInt(),
                "a relabeled image is exported again");
    }

    @Test
    void badInputRecordsNothing() throws IOException {
        ok("people", "add", "lab-07", "--role", "labeler");
        ok("people", "add", "lab-01", "--role", "labeler,verifier");
        ok("people", "add", "old-guard", "--role", "verifier", "--rotation-start", LocalDate.now().minusYears(2).toString());
        addBatch("a", 20, "2026-06-01T10:00:00+08:00", "mono", "");
        ok("commit", "-m", "a");
        JsonNode item = sample().path("items").get(0);
        String label = item.path("label").asText();
        String unsampled = ok("--json", "show", "work:a/cell0000.png").json().path("image").path("label").asText();
        if (unsampled.equals(label)) {
            unsampled = ok("--json", "show", "work:a/cell0001.png").json().path("image").path("label").asText();
        }
        Map<String, String> before = RepoSnapshot.of(library);

        expectInvalid(List.of("review", "record", "--verifier", "nobody", "--label", label, "--pass"),
                "nobody is not registered");
        expectInvalid(List.of("review", "record", "--verifier", "lab-07", "--label", label, "--pass"),
                "lab-07 is not a verifier");
        expectInvalid(List.of("review", "record", "--verifier", "lab-01", "--label", label, "--pass"),
                "label record " + label + " (" + item.path("path").asText() + ") was made by lab-01, and a verifier"
                        + " may not review their own labels");
        expectInvalid(List.of("review", "record", "--verifier", "old-guard", "--label", label, "--pass"),
                "verifier.grace_days");
        expectInvalid(List.of("review", "record", "--verifier", "old-guard", "--label", label, "--pass"),
                "dsv people rotate old-guard");
        expectInvalid(List.of("review", "record", "--verifier", "senior-01", "--label", unsampled, "--pass"),
                "is in no recorded sample");
        expectInvalid(List.of("review", "record", "--verifier", "senior-01", "--label", label, "--relabel", "dust"),
                "unknown defect type 'dust'");
        Path noDefects = decisions("label,decision,defects", label + ",relabel,");
        expectInvalid(List.of("review", "record", noDefects.toString(), "--verifier", "senior-01"),
                noDefects + ":2: a relabel needs");
        Path mixed = decisions("label,decision", label + ",pass", "zz,maybe");
        expectInvalid(List.of("review", "record", mixed.toString(), "--verifier", "senior-01"),
                mixed + ":3: 'maybe' is not a decision");
        Path shortRow = decisions("label,decision,note", label + ",pass");
        expectInvalid(List.of("review", "record", shortRow.toString(), "--verifier", "senior-01"), shortRow + ":2");
        Path jsonl = tmp.resolve("bad.jsonl");
        Files.writeString(jsonl, "{\"label\": \"" + label + "\", \"decision\": \"pass\"}\n{not json\n");
        expectInvalid(List.of("review", "record", jsonl.toString(), "--verifier", "senior-01"), jsonl + ":2");
        Path unclosed = decisions("label,decision,note", label + ",pass,\"looks fine", label + ",pass,");
        expectInvalid(List.of("review", "record", unclosed.toString(), "--verifier", "senior-01"),
                unclosed + ":4: this CSV cannot be read (Missing closing quote");
        Path empty = tmp.resolve("empty.csv");
        Files.writeString(empty, "");
        expectInvalid(List.of("review", "record", empty.toString(), "--verifier", "senior-01"),
                "decisions file " + empty + " is empty");
        assertEquals(before, RepoSnapshot.of(library), "no rejected input recorded anything");
    }

    @Test
    void moveMergeAndRollbackIntroduceNothing() throws IOException {
        addBatch("a", 20, "2026-06-01T10:00:00+08:00", "mono", "");
        ok("commit", "-m", "a");
        ok("mv", "a/cell0000.png", "moved/cell0000.png");
        ok("commit", "-m", "move one image");
        String move = head("work");
        ok("switch", "-c", "side", "work~1");
        addBatch("b", 20, "2026-06-02T10:00:00+08:00", "poly", "");
        ok("commit", "-m", "b");
        String side = head("side");
        ok("switch", "work");
        ok("merge", "side", "-m", "merge side");
        String merge = head("work");
        ok("rollback", side, "-m", "batch b was wrong");
        String rollback = head("work");

        JsonNode s = sample("--by", "commit");
        assertEquals(40, s.path("population").asInt(), "only the two batches hold new records");
        Set<String> sampledCommits = new HashSet<>();
        s.path("items").forEach(i -> sampledCommits.add(i.path("commit").asText()));
        assertTrue(sampledCommits.contains(side), sampledCommits.toString());
        assertFalse(sampledCommits.contains(merge));
        assertEquals("verified", statusOf(move), "a move has no new label records");
        assertEquals("verified", statusOf(rollback), "a rollback restores earlier records");
        assertEquals("pending", statusOf(side));
    }

    @Test
    void fullReviewMarksAreAllDrawn() throws IOException {
        ok("people", "add", "lab-09", "--role", "labeler");
        ok("people", "pause", "lab-09", "--until", LocalDate.now().plusDays(7).toString(), "--reason", "gold test");
        Path policy = tmp.resolve("full-review.json");
        Files.writeString(policy, "{\"gates\": [\"verified\"], \"settings\": {\"labeler.paused_labels\": \"full-review\"}}");
        ok("policy", "--branch", "work", "--set", policy.toString());
        Path dir = tmp.resolve("paused");
        Files.createDirectories(dir);
        for (int i = 0; i < 6; i++) {
            TinyPng.write(dir.resolve(String.format("cell%04d.png", i)), 8, 8, 900 + i);
        }
        ok("add", dir.toString(), "--cell-type", "mono", "--source", "production", "--labeler", "lab-09");
        addBatch("regular", 40, java.time.OffsetDateTime.now().toString(), "mono", "");
        ok("commit", "-m", "six labels by a paused labeler and forty regular ones");

        JsonNode s = sample("--by", "commit");
        int paused = 0;
        for (JsonNode item : s.path("items")) {
            if (item.path("labeler").asText().equals("lab-09")) {
                paused++;
            }
        }
        assertEquals(6, paused, "every marked record is drawn: " + s.path("items"));
        assertEquals(8, s.path("items").size(), "plus max(1, ceil(0.05 x 40)) = 2 of the regular records");
    }

    private void expectInvalid(List<String> args, String expected) {
        CliResult r = Dsv.run(library, args.toArray(String[]::new));
        assertEquals(3, r.exitCode(), r.toString());
        assertTrue(r.err().contains(expected), "expected '" + expected + "' in:\n" + r);
    }
}
