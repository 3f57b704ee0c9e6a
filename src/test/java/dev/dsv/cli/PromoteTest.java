package dev.dsv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.Images;
import dev.dsv.testing.RepoSnapshot;
import dev.dsv.testing.ReviewFlow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** main is protected: promote, with its gates and records, is the only way in. */
class PromoteTest {
    @TempDir
    Path tmp;

    Path library;

    @BeforeEach
    void setUp() {
        library = tmp.resolve("lib");
        assertEquals(0, Dsv.run(tmp, "init", "lib").exitCode());
        Images.copySample(tmp.resolve("batch-a"), 3);
        ok("switch", "-c", "batch-a");
        ok("add", "../batch-a", "--cell-type", "mono", "--source", "production", "--labeler", "lab-01");
        ok("commit", "-m", "batch a");
        ReviewFlow.addVerifier(Dsv::run, library, "senior-01");
        ReviewFlow.addVerifier(Dsv::run, library, "senior-02");
    }

    private CliResult ok(String... args) {
        CliResult r = Dsv.run(library, args);
        assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r);
        return r;
    }

    private String head(String branch) {
        return ok("--json", "log", branch, "-n", "1").json().path("commits").get(0).path("id").asText();
    }

    @Test
    void commitAndMergeOnMainRefused() {
        ok("switch", "-c", "elsewhere", "HEAD");
        Map<String, String> before = RepoSnapshot.of(library);
        CliResult merge = Dsv.run(library, "switch", "main");
        assertEquals(0, merge.exitCode(), merge.toString());
        CliResult refused = Dsv.run(library, "merge", "batch-a");
        assertEquals(12, refused.exitCode(), refused.toString());
        assertTrue(refused.err().contains("dsv promote batch-a --into main"), refused.toString());
        Images.copySample(tmp.resolve("direct"), 1);
        ok("add", "../direct", "--cell-type", "mono", "--source", "production", "--labeler", "lab-01");
        CliResult commit = Dsv.run(library, "commit", "-m", "straight into main");
        assertEquals(12, commit.exitCode(), commit.toString());
        assertTrue(commit.err().contains("dsv promote"), commit.toString());
        assertEquals(5, Dsv.run(library, "log", "main").exitCode(), "main still has no commit");
        assertEquals(before.keySet().stream().filter(k -> k.startsWith("refs")).toList(),
                RepoSnapshot.of(library).keySet().stream().filter(k -> k.startsWith("refs")).toList());
    }

    @Test
    void unverifiedRefusedThenVerifiedPromoted() {
        CliResult refused = Dsv.run(library, "--json", "promote", "batch-a");
        assertEquals(1, refused.exitCode(), refused.toString());
        JsonNode report = refused.json();
        assertFalse(report.path("promoted").asBoolean());
        JsonNode verified = report.path("gates").get(0);
        assertEquals("verified", verified.path("gate").asText());
        assertFalse(verified.path("passed").asBoolean());
        assertTrue(verified.path("examples").get(0).asText().startsWith(head("batch-a") + ": pending (not sampled"),
                verified.toString());
        assertEquals(5, Dsv.run(library, "log", "main").exitCode(), "main unchanged by a failed gate");

        ReviewFlow.passAll(Dsv::run, library, "batch-a", "senior-01");
        JsonNode dry = ok("--json", "promote", "batch-a", "--dry-run").json();
        assertTrue(dry.path("passed").asBoolean());
        assertFalse(dry.path("promoted").asBoolean());
        assertEquals(5, Dsv.run(library, "log", "main").exitCode(), "a dry run changes nothing");

        JsonNode done = ok("--json", "promote", "batch-a").json();
        assertTrue(done.path("promoted").asBoolean());
        assertEquals(head("batch-a"), head("main"));
        JsonNode log = ok("--json", "log", "main").json().path("commits").get(0).path("events").get(0);
        assertEquals("promotion", log.path("kind").asText());
        assertEquals("batch-a", log.path("branch").asText());
        assertEquals(done.path("policy").asText(), log.path("policy").asText());
        assertEquals(done.path("report_sha256").asText(), log.path("report").asText());
        assertTrue(ok("log", "main").out().contains("Promoted:  from batch-a"));
    }

    @Test
    void promoteIntoMovedMainKeepsBoth() {
        ReviewFlow.passAll(Dsv::run, library, "batch-a", "senior-01");
        ok("switch", "-c", "batch-b", "HEAD");
        Images.copySample(tmp.resolve("batch-b"), 2);
        ok("add", "../batch-b", "--cell-type", "poly", "--source", "production", "--labeler", "lab-02");
        ok("commit", "-m", "batch b");
        ReviewFlow.passAll(Dsv::run, library, "batch-b", "senior-01");
        ok("switch", "-c", "batch-c", "batch-a");
        ok("label", "set", "batch-a/cell0001.png", "--defect", "crack", "--labeler", "qa");
        ok("commit", "-m", "batch c relabel");
        ReviewFlow.passAll(Dsv::run, library, "batch-c", "senior-02");

        ok("promote", "batch-b");
        ok("promote", "batch-c");
        JsonNode ls = ok("--json", "ls", "main").json();
        assertEquals(5, ls.path("count").asInt(), "both promotions are in main");
        assertEquals("crack", ok("--json", "show", "main:batch-a/cell0001.png").json().path("label").path("defects")
                .get(0).path("type").asText());
    }

    @Test
    void vocabularyGateFails() throws Exception {
        ReviewFlow.passAll(Dsv::run, library, "batch-a", "senior-01");
        Path config = library.resolve(".dsv/config.json");
        Files.writeString(config, Files.readString(config).replace("\"mono\",", ""));
        CliResult r = Dsv.run(library, "--json", "promote", "batch-a");
        assertEquals(1, r.exitCode(), r.toString());
        JsonNode vocab = r.json().path("gates").get(1);
        assertEquals("known-vocabulary", vocab.path("gate").asText());
        assertEquals(3, vocab.path("offending").asInt());
        assertTrue(vocab.path("examples").get(0).asText().contains("cell type mono"));
    }

    @Test
    void policyOfCandidateDoesNotJudge() throws Exception {
        Path lax = tmp.resolve("lax.json");
        Files.writeString(lax, "{\"gates\": [\"known-vocabulary\"]}");
        ok("policy", "--branch", "batch-a", "--set", lax.toString());
        CliResult refused = Dsv.run(library, "--json", "promote", "batch-a", "--accept-policy-change");
        assertEquals(1, refused.exitCode(), "main's own policy still requires verification:\n" + refused);
        JsonNode gates = refused.json().path("gates");
        assertEquals("verified", gates.get(0).path("gate").asText());
        assertFalse(gates.get(0).path("passed").asBoolean());

        CliResult mainPolicy = Dsv.run(library, "policy", "--branch", "main", "--set", lax.toString());
        assertEquals(12, mainPolicy.exitCode(), mainPolicy.toString());
    }

    @Test
    void weakeningPolicyRefusedWithoutAcceptance() throws Exception {
        Path lax = tmp.resolve("lax.json");
        Files.writeString(lax, "{\"gates\": [\"verified\", \"known-vocabulary\"],"
                + " \"settings\": {\"review.max_reject_rate\": 0.5}}");
        ok("policy", "--branch", "batch-a", "--set", lax.toString());
        ReviewFlow.passAll(Dsv::run, library, "batch-a", "senior-01");
        Map<String, String> before = RepoSnapshot.of(library);
        CliResult refused = Dsv.run(library, "--json", "promote", "batch-a");
        assertEquals(1, refused.exitCode(), refused.toString());
        assertEquals(before, RepoSnapshot.of(library), "a refused promotion leaves the repository as it was");
        JsonNode gates = refused.json().path("gates");
        JsonNode change = gates.get(gates.size() - 1);
        assertEquals("policy-change", change.path("gate").asText());
        assertFalse(change.path("passed").asBoolean(), change.toString());
        assertEquals(8, change.path("offending").asInt(), "seven removed gates and one changed setting: " + change);
        assertTrue(change.path("examples").toString().contains("removes gate provenance-complete"), change.toString());
        assertTrue(change.path("examples").toString().contains("changes setting review.max_reject_rate: 0.05 -> 0.5"),
                change.toString());
        for (int i = 0; i < gates.size() - 1; i++) {
            assertTrue(gates.get(i).path("passed").asBoolean(), "only the policy change fails: " + gates.get(i));
        }
        assertFalse(refused.json().path("policy_change_accepted").asBoolean());
        assertEquals(9, ok("--json", "policy", "--branch", "main").json().path("gates").size());

        // The same policy change with the explicit acceptance passes, and the record says so.
        JsonNode done = ok("--json", "promote", "batch-a", "--accept-policy-change").json();
        assertTrue(done.path("promoted").asBoolean(), done.toString());
        assertTrue(done.path("policy_change_accepted").asBoolean(), done.toString());
        JsonNode accepted = done.path("gates").get(done.path("gates").size() - 1);
        assertTrue(accepted.path("passed").asBoolean(), accepted.toString());
        assertTrue(accepted.path("examples").toString().contains("accepted with --accept-policy-change"));
        JsonNode log = ok("--json", "log", "main").json().path("commits").get(0).path("events").get(0);
        assertEquals("promotion", log.path("kind").asText());
        assertTrue(log.path("policy_change_accepted").asBoolean(), log.toString());
        JsonNode now = ok("--json", "policy", "--branch", "main").json();
        assertEquals(2, now.path("gates").size(), "the accepted policy is in force on main afterwards");

        // A branch without a policy of its own carries main's: promoting it changes no policy.
        ok("switch", "-c", "batch-b", "main");
        Images.copySample(tmp.resolve("batch-b"), 2);
        ok("add", "../batch-b", "--cell-type", "poly", "--source", "production", "--labeler", "lab-02");
        ok("commit", "-m", "batch b");
        ReviewFlow.passAll(Dsv::run, library, "batch-b", "senior-01");
        JsonNode next = ok("--json", "promote", "batch-b").json();
        JsonNode unchanged = next.path("gates").get(next.path("gates").size() - 1);
        assertEquals(0, unchanged.path("offending").asInt(), unchanged.toString());
        assertEquals(now.path("version").asText(), ok("--json", "policy", "--branch", "main").json().path("version").asText());
    }

    @Test
    void acceptedFlagInTextReport() throws Exception {
        Path lax = tmp.resolve("lax.json");
        Files.writeString(lax, "{\"gates\": [\"verified\"]}");
        ok("policy", "--branch", "batch-a", "--set", lax.toString());
        ReviewFlow.passAll(Dsv::run, library, "batch-a", "senior-01");
        CliResult done = ok("promote", "batch-a", "--accept-policy-change");
        assertTrue(done.out().contains("Policy change accepted (--accept-policy-change): main now has"), done.toString());
        assertTrue(done.out().contains("removes gate known-vocabulary"), done.toString());
    }

    @Test
    void tighteningPolicyPassesWithoutFlag() throws Exception {
        Path strict = tmp.resolve("strict.json");
        Files.writeString(strict, "{\"gates\": [\"verified\", \"known-vocabulary\", \"provenance-complete\","
                + " \"labelers-in-good-standing\", \"synthetic-ratio\", \"test-is-real\", \"generator-diversity\","
                + " \"exact-duplicates\", \"generator-leakage\", \"near-duplicates\"]}");
        ok("policy", "--branch", "batch-a", "--set", strict.toString());
        ReviewFlow.passAll(Dsv::run, library, "batch-a", "senior-01");
        JsonNode done = ok("--json", "promote", "batch-a").json();
        assertTrue(done.path("promoted").asBoolean(), done.toString());
        assertFalse(done.path("policy_change_accepted").asBoolean());
        JsonNode change = done.path("gates").get(done.path("gates").size() - 1);
        assertEquals("policy-change", change.path("gate").asText());
        assertTrue(change.path("passed").asBoolean());
        assertEquals(0, change.path("offending").asInt());
        assertTrue(change.path("examples").toString().contains("adds gate near-duplicates"), change.toString());
        JsonNode log = ok("--json", "log", "main").json().path("commits").get(0).path("events").get(0);
        assertTrue(log.path("policy_change_accepted").isMissingNode(), log.toString());
        assertEquals(10, ok("--json", "policy", "--branch", "main").json().path("gates").size());
    }

    @Test
    void rollbackOnMainListsModels() {
        ReviewFlow.passAll(Dsv::run, library, "batch-a", "senior-01");
        ok("promote", "batch-a");
        ok("switch", "-c", "batch-b", "main");
        Images.copySample(tmp.resolve("batch-b"), 2);
        ok("add", "../batch-b", "--cell-type", "poly", "--source", "production", "--labeler", "lab-02");
        ok("commit", "-m", "bad batch");
        String bad = head("batch-b");
        ReviewFlow.passAll(Dsv::run, library, "batch-b", "senior-01");
        ok("promote", "batch-b");
        ok("model", "register", "before-bad", "--data", "main~1");
        ok("model", "register", "with-bad", "--data", "main");
        ok("switch", "main");
        CliResult noReason = Dsv.run(library, "rollback", bad);
        assertEquals(2, noReason.exitCode());
        JsonNode r = ok("--json", "rollback", bad, "-m", "200 wrong labels in the June batch").json();
        assertEquals(2, r.path("changed").asInt());
        assertEquals(1, r.path("retrain").size());
        assertEquals("with-bad", r.path("retrain").get(0).path("name").asText());
        assertEquals(3, ok("--json", "ls", "main").json().path("count").asInt());
        JsonNode affected = ok("--json", "model", "list", "--affected-by", bad).json().path("models");
        assertEquals(1, affected.size());
        assertTrue(ok("log", "main", "-n", "1").out().contains("Rollback:"));
    }

    @Test
    void rollbackConflictsWithLaterChange() {
        ok("label", "set", "batch-a/cell0001.png", "--defect", "crack", "--labeler", "qa-1");
        ok("commit", "-m", "relabel");
        String relabel = head("batch-a");
        ok("label", "set", "batch-a/cell0001.png", "--defect", "microcrack", "--labeler", "qa-2");
        ok("commit", "-m", "relabel again");
        Map<String, String> before = RepoSnapshot.of(library);
        CliResult conflict = Dsv.run(library, "rollback", relabel, "-m", "wrong crack");
        assertEquals(11, conflict.exitCode(), conflict.toString());
        assertTrue(conflict.err().contains("batch-a/cell0001.png"), conflict.toString());
        assertEquals(before, RepoSnapshot.of(library), "a conflicted rollback writes nothing");

        CliResult keep = Dsv.run(library, "rollback", relabel, "-m", "wrong crack", "--ours");
        assertEquals(9, keep.exitCode(), "keeping the later state leaves nothing to undo: " + keep);
        ok("rollback", relabel, "-m", "wrong crack", "--theirs");
        JsonNode defects = ok("--json", "show", "HEAD:batch-a/cell0001.png").json().path("label").path("defects");
        assertTrue(defects.isEmpty(), "undone back to the state before the relabel: " + defects);
    }

    @Test
    void traceShowsPromotionAndRollback() throws Exception {
        ReviewFlow.passAll(Dsv::run, library, "batch-a", "senior-01");
        ok("promote", "batch-a");
        String data = head("main");
        ok("model", "register", "m1", "--data", "main");
        ok("switch", "main");
        ok("rollback", data, "-m", "bad batch");
        JsonNode trace = ok("--json", "trace", "m1").json();
        assertEquals(data, trace.path("model").path("data").asText());
        assertEquals("batch-a", trace.path("promotions").get(0).path("branch").asText());
        assertEquals(data, trace.path("rollbacks").get(0).path("rolled_back").asText());
        assertTrue(ok("trace", "m1").out().contains("ROLLED BACK"));
        assertEquals(5, Dsv.run(library, "trace", "nope").exitCode());
    }

    @Test
    void modelMetricsExponentOverflowRejected() throws Exception {
        ReviewFlow.passAll(Dsv::run, library, "batch-a", "senior-01");
        ok("promote", "batch-a");
        Path metrics = tmp.resolve("metrics.json");
        Files.writeString(metrics, "{\"recall\": 1e-9999999999}");
        CliResult rejected = Dsv.run(library, "model", "register", "m2", "--data", "main", "--metrics", metrics.toString());
        assertEquals(3, rejected.exitCode(), rejected.toString());
        assertTrue(rejected.err().contains(metrics.toString()), rejected.toString());
        assertFalse(rejected.err().contains("\tat "), rejected.toString());
    }

    @Test
    void guardsFromSecondTrial() throws Exception {
        CliResult unknownTarget = Dsv.run(library, "promote", "batch-a", "--into", "mian");
        assertEquals(5, unknownTarget.exitCode(), unknownTarget.toString());
        Path empty = tmp.resolve("empty.json");
        Files.writeString(empty, "{\"gates\": []}");
        assertEquals(3, Dsv.run(library, "policy", "--branch", "batch-a", "--set", empty.toString()).exitCode());
        Files.writeString(empty, "{\"gates\": \"verified\"}");
        assertEquals(3, Dsv.run(library, "policy", "--branch", "batch-a", "--set", empty.toString()).exitCode());
        assertEquals(5, Dsv.run(library, "policy", "--branch", "nosuch").exitCode());
        ok("branch", "team/a");
        CliResult folder = Dsv.run(library, "branch", "team");
        assertEquals(3, folder.exitCode(), folder.toString());
        CliResult under = Dsv.run(library, "branch", "team/a/b");
        assertEquals(3, under.exitCode(), under.toString());
        assertEquals(2, Dsv.run(library, "merge", "team/a", "-m", " ").exitCode());

        ok("model", "register", "early", "--data", "batch-a");
        assertTrue(ok("--json", "model", "show", "early").json().path("model").path("unprotected_data").asBoolean());
        ReviewFlow.passAll(Dsv::run, library, "batch-a", "senior-01");
        ok("promote", "batch-a");
        assertFalse(ok("--json", "model", "show", "early").json().path("model").path("unprotected_data").asBoolean(),
                "the mark follows the branches, not the registration time");
    }
}
