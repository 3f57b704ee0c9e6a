package dev.dsv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.model.MetaRecord;
import dev.dsv.model.ObjectId;
import dev.dsv.repo.Repository;
import dev.dsv.repo.RepositoryLock;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.Images;
import dev.dsv.testing.RepoSnapshot;
import dev.dsv.testing.ReviewFlow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signed promotions, review decisions and rollbacks with SSH keys that the test makes with
 * {@code ssh-keygen}, a policy that requires them on main, and fsck's check of every signature.
 */
class SignedRecordsTest {
    @TempDir
    Path tmp;

    Path library;
    Path keys;

    @BeforeEach
    void setUp() throws Exception {
        library = tmp.resolve("lib");
        keys = Files.createDirectories(tmp.resolve("keys"));
        ok(tmp, "init", "lib");
        ok(library, "config", "set", "user.id", "alice");
        StringBuilder allowed = new StringBuilder();
        for (String person : new String[] {"alice", "senior-01", "mallory"}) {
            Path key = keys.resolve(person);
            run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", person, "-f", key.toString());
            if (!person.equals("mallory")) {
                String[] pub = Files.readString(keys.resolve(person + ".pub")).split(" ");
                allowed.append(person).append(' ').append(pub[0]).append(' ').append(pub[1]).append('\n');
            }
        }
        Files.writeString(library.resolve(".dsv/allowed_signers"), allowed);

        Images.copySample(tmp.resolve("batch-a"), 3);
        ok(library, "switch", "-c", "batch-a");
        ok(library, "add", "../batch-a", "--cell-type", "mono", "--source", "production", "--labeler", "lab-01");
        ok(library, "commit", "-m", "batch a");
        ReviewFlow.addVerifier(Dsv::run, library, "senior-01");
        ReviewFlow.passAll(Dsv::run, library, "batch-a", "senior-01");
        Path strict = tmp.resolve("strict.json");
        Files.writeString(strict, "{\"gates\": [\"verified\", \"known-vocabulary\", \"provenance-complete\"],"
                + " \"settings\": {\"signing.signatures\": \"required\"}}");
        ok(library, "policy", "--branch", "batch-a", "--set", strict.toString());
        ok(library, "promote", "batch-a", "--accept-policy-change");
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", command));
        assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + new String(p.getInputStream().readAllBytes()));
    }

    private static CliResult ok(Path dir, String... args) {
        CliResult r = Dsv.run(dir, args);
        assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r);
        return r;
    }

    private void useKey(String person) {
        ok(library, "config", "set", "signing.key", keys.resolve(person).toString());
    }

    /** Makes branch batch-b with one more image, reviewed by senior-01 with senior-01's key. */
    private void reviewedBatchB() {
        ok(library, "switch", "-c", "batch-b", "main");
        Images.copySample(tmp.resolve("batch-b"), 4);
        ok(library, "add", "../batch-b", "--cell-type", "mono", "--source", "production", "--labeler", "lab-01");
        ok(library, "commit", "-m", "batch b");
        useKey("senior-01");
        ReviewFlow.passAll(Dsv::run, library, "batch-b", "senior-01");
    }

    @Test
    void onlySshFormatAccepted() {
        CliResult gpg = Dsv.run(library, "config", "set", "signing.format", "gpg");
        assertEquals(3, gpg.exitCode(), gpg.toString());
        assertTrue(gpg.err().contains("ssh"), gpg.toString());
        ok(library, "config", "set", "signing.format", "ssh");
    }

    @Test
    void missingProgramNamed() {
        reviewedBatchB();
        useKey("alice");
        String program = tmp.resolve("no-such-keygen").toString();
        ok(library, "config", "set", "signing.program", program);
        Map<String, String> before = RepoSnapshot.of(library);
        CliResult failed = Dsv.run(library, "promote", "batch-b");
        assertEquals(3, failed.exitCode(), failed.toString());
        assertTrue(failed.err().contains(program), failed.toString());
        assertEquals(before.get("refs/heads/main"), RepoSnapshot.of(library).get("refs/heads/main"));
    }

    @Test
    void unsignedPromotionRefused() {
        reviewedBatchB();
        ok(library, "config", "unset", "signing.key");
        Map<String, String> before = RepoSnapshot.of(library);
        CliResult refused = Dsv.run(library, "promote", "batch-b");
        assertEquals(12, refused.exitCode(), refused.toString());
        assertTrue(refused.err().contains("signing.key"), refused.toString());
        assertEquals(before.get("refs/heads/main"), RepoSnapshot.of(library).get("refs/heads/main"));
    }

    @Test
    void keyNotListedForAuthorRefused() {
        reviewedBatchB();
        useKey("mallory");
        CliResult refused = Dsv.run(library, "promote", "batch-b");
        assertEquals(12, refused.exitCode(), refused.toString());
        assertTrue(refused.err().contains("allowed_signers"), refused.toString());

        // alice's name with senior-01's key: the key is allowed, but not for the author alice.
        useKey("senior-01");
        CliResult other = Dsv.run(library, "promote", "batch-b");
        assertEquals(12, other.exitCode(), other.toString());
    }

    @Test
    void signedPromotionAcceptedAndChecked() {
        reviewedBatchB();
        useKey("alice");
        ok(library, "promote", "batch-b");
        JsonNode fsck = ok(library, "--json", "fsck").json();
        assertTrue(fsck.path("ok").asBoolean(), fsck.toString());
        JsonNode signatures = fsck.path("signatures");
        int decisions = signatures.path("signed").asInt() - 1;
        assertTrue(decisions >= 1, signatures.toString());
        assertEquals(signatures.path("signed").asInt(), signatures.path("valid").asInt(), signatures.toString());
        assertEquals(0, signatures.path("invalid").size());
    }

    @Test
    void unsignedDecisionRefusedUnderPolicy() {
        ok(library, "switch", "-c", "batch-c", "main");
        Images.copySample(tmp.resolve("batch-c"), 4);
        ok(library, "add", "../batch-c", "--cell-type", "mono", "--source", "production", "--labeler", "lab-01");
        ok(library, "commit", "-m", "batch c");
        JsonNode sample = ok(library, "--json", "review", "sample", "batch-c").json();
        String label = sample.path("items").get(0).path("label").asText();
        Map<String, String> before = RepoSnapshot.of(library);
        CliResult refused = Dsv.run(library, "review", "record", "--verifier", "senior-01", "--label", label,
                "--pass");
        assertEquals(12, refused.exitCode(), refused.toString());
        assertEquals(before, RepoSnapshot.of(library), "a refused decision writes nothing");

        useKey("senior-01");
        ok(library, "review", "record", "--verifier", "senior-01", "--label", label, "--pass");
    }

    @Test
    void unsignedDecisionsVerifyNothing() throws Exception {
        ok(library, "switch", "-c", "batch-d", "main");
        Images.copySample(tmp.resolve("batch-d"), 4);
        ok(library, "add", "../batch-d", "--cell-type", "mono", "--source", "production", "--labeler", "lab-01");
        ok(library, "commit", "-m", "batch d");
        JsonNode sample = ok(library, "--json", "review", "sample", "batch-d").json();
        JsonNode items = sample.path("items");
        String sampleId = sample.path("sample").asText();
        assertFalse(items.isEmpty(), sample.toString());
        // Decisions typed in by a clone that has no such policy arrive unsigned, as a fetch would bring them.
        try (Repository repo = Repository.open(library);
             RepositoryLock lock = repo.lockForWrite("test", Duration.ofSeconds(5))) {
            for (JsonNode item : items) {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("decision", "pass");
                body.put("sample", sampleId);
                body.put("path", item.path("path").asText());
                repo.metadataLog().append(new MetaRecord("review-decision",
                        ObjectId.parse(item.path("label").asText()), "senior-01", dev.dsv.model.Times.now(), body));
            }
        }
        String status = ok(library, "--json", "review", "status", "batch-d").out();
        assertTrue(status.contains("pending"), status);
        useKey("alice");
        CliResult refused = Dsv.run(library, "--json", "promote", "batch-d");
        assertEquals(1, refused.exitCode(), refused.toString());
        assertEquals("verified", refused.json().path("gates").get(0).path("gate").asText());
        assertFalse(refused.json().path("gates").get(0).path("passed").asBoolean(), refused.toString());
    }

    @Test
    void forgedAuthorFailsFsck() throws Exception {
        reviewedBatchB();
        useKey("alice");
        ok(library, "promote", "batch-b");
        assertEquals(0, Dsv.run(library, "fsck").exitCode());
        try (Repository repo = Repository.open(library);
             RepositoryLock lock = repo.lockForWrite("test", Duration.ofSeconds(5))) {
            MetaRecord forged = null;
            for (ObjectId id : repo.metadataLog().ids()) {
                MetaRecord r = repo.metadataLog().read(id);
                if (r.kind().equals("review-decision") && r.body().containsKey("signature")) {
                    Map<String, Object> body = new LinkedHashMap<>(r.body());
                    body.put("decision", "reject");
                    forged = new MetaRecord(r.kind(), r.subject(), r.author(), r.time(), body);
                }
            }
            assertTrue(forged != null, "a signed decision exists");
            repo.metadataLog().append(forged);
            MetaRecord promotion = null;
            for (ObjectId id : repo.metadataLog().ids()) {
                MetaRecord r = repo.metadataLog().read(id);
                if (r.kind().equals("promotion") && r.body().containsKey("signature")) {
                    promotion = new MetaRecord(r.kind(), r.subject(), "mallory", r.time(), r.body());
                }
            }
            repo.metadataLog().append(promotion);
        }
        CliResult fsck = Dsv.run(library, "--json", "fsck");
        assertEquals(1, fsck.exitCode(), fsck.toString());
        JsonNode invalid = fsck.json().path("signatures").path("invalid");
        assertEquals(2, invalid.size(), invalid.toString());
        assertEquals("review-decision", invalid.get(0).path("kind").asText());
        assertEquals("mallory", invalid.get(1).path("author").asText());

        CliResult text = Dsv.run(library, "fsck");
        assertTrue(text.out().contains("bad signature"), text.toString());
    }

    @Test
    void withoutAllowedSignersOnlyIntegrity() throws Exception {
        reviewedBatchB();
        useKey("alice");
        ok(library, "promote", "batch-b");
        Files.delete(library.resolve(".dsv/allowed_signers"));
        JsonNode signatures = ok(library, "--json", "fsck").json().path("signatures");
        assertEquals(signatures.path("signed").asInt(), signatures.path("unchecked_signers").asInt());
        assertEquals(0, signatures.path("valid").asInt(), signatures.toString());
        assertFalse(signatures.path("signed").asInt() == 0);
        assertFalse(signatures.path("allowed_signers_found").asBoolean(), signatures.toString());
        assertTrue(signatures.path("allowed_signers").asText().endsWith("allowed_signers"), signatures.toString());

        String text = ok(library, "fsck").out();
        assertTrue(text.contains(signatures.path("signed").asInt() + " unverified"), text);
        assertTrue(text.contains("no allowed-signers file at " + signatures.path("allowed_signers").asText()), text);
    }

    @Test
    void rollbackOnMainSigned() {
        reviewedBatchB();
        useKey("alice");
        ok(library, "promote", "batch-b");
        String bad = ok(library, "--json", "log", "main", "-n", "1").json().path("commits").get(0).path("id").asText();
        ok(library, "config", "unset", "signing.key");
        Map<String, String> before = RepoSnapshot.of(library);
        CliResult refused = Dsv.run(library, "rollback", bad, "--branch", "main", "-m", "bad batch");
        assertEquals(12, refused.exitCode(), refused.toString());
        assertEquals(before.get("refs/heads/main"), RepoSnapshot.of(library).get("refs/heads/main"));
        useKey("alice");
        CliResult done = Dsv.run(library, "rollback", bad, "--branch", "main", "-m", "bad batch");
        assertEquals(0, done.exitCode(), done.toString());
        JsonNode signatures = ok(library, "--json", "fsck").json().path("signatures");
        assertEquals(0, signatures.path("invalid").size(), signatures.toString());
        assertEquals(signatures.path("signed").asInt(), signatures.path("valid").asInt(), signatures.toString());
    }
}
