package dev.dsv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dsv.repo.Repository;
import dev.dsv.repo.RepositoryLock;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.Images;
import dev.dsv.testing.RepoSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dsv config} and the user id used when --labeler or --verifier is missing. */
class ConfigCommandTest {
    @TempDir
    Path tmp;

    Path lib;

    @BeforeEach
    void setUp() {
        // The identity tests read the user id from the configuration; these variables would win over it.
        assumeTrue(System.getenv("DSV_USER") == null && System.getenv("DSV_COMMITTER") == null);
        assertEquals(0, Dsv.run(tmp, "init", "lib", "--time-zone", "Asia/Shanghai").exitCode());
        lib = tmp.resolve("lib");
        assertEquals(0, Dsv.run(lib, "switch", "-c", "work").exitCode());
    }

    private CliResult ok(String... args) {
        CliResult r = Dsv.run(lib, args);
        assertEquals(0, r.exitCode(), r.toString());
        return r;
    }

    private JsonNode configFile() throws Exception {
        return new ObjectMapper().readTree(Files.readAllBytes(lib.resolve(".dsv/config.json")));
    }

    /** Runs a command that must fail with {@code exitCode}, name every text, and leave the repository as it was. */
    private CliResult rejected(int exitCode, List<String> texts, String... args) {
        Map<String, String> before = RepoSnapshot.of(lib);
        CliResult r = Dsv.run(lib, args);
        assertEquals(exitCode, r.exitCode(), r.toString());
        for (String text : texts) {
            assertTrue(r.err().contains(text), "message should name '" + text + "':\n" + r);
        }
        assertEquals(before, RepoSnapshot.of(lib), "a rejected command changed the repository");
        return r;
    }

    @Test
    void listJsonShowsEveryKey() {
        JsonNode doc = ok("--json", "config", "list").json();
        JsonNode keys = doc.path("keys");
        assertEquals(13, keys.size(), doc.toString());
        JsonNode user = keys.get(0);
        assertEquals("user.id", user.path("key").asText());
        assertTrue(user.path("value").isNull(), doc.toString());
        assertFalse(user.path("set").asBoolean());
        assertEquals("settable", user.path("access").asText());
        JsonNode zone = keys.get(1);
        assertEquals("Asia/Shanghai", zone.path("value").asText());
        assertEquals("UTC", zone.path("default").asText());
        assertTrue(zone.path("set").asBoolean());
        JsonNode cellTypes = keys.get(3);
        assertEquals("cell_types", cellTypes.path("key").asText());
        assertEquals("add-only", cellTypes.path("access").asText());
        assertTrue(cellTypes.path("value").isArray());
        assertTrue(doc.path("environment").has("DSV_USER"), doc.toString());

        String text = ok("config", "list").out();
        assertTrue(text.contains("user.id is not set"), text);
        assertTrue(text.contains("time_zone = Asia/Shanghai\n"), text);
    }

    @Test
    void setGetUnsetUserId() throws Exception {
        CliResult missing = Dsv.run(lib, "config", "get", "user.id");
        assertEquals(1, missing.exitCode(), missing.toString());
        assertEquals("", missing.out());
        assertTrue(missing.err().contains("user.id is not set"), missing.toString());

        assertTrue(ok("config", "set", "user.id", " 王工 ").out().contains("user.id"));
        assertEquals("王工\n", ok("config", "get", "user.id").out());
        assertEquals("王工", configFile().path("user").path("id").asText());

        CliResult removed = ok("--json", "config", "unset", "user.id");
        assertTrue(removed.json().path("removed").asBoolean(), removed.toString());
        assertFalse(configFile().has("user"), "an empty user object is removed");
        assertFalse(ok("--json", "config", "unset", "user.id").json().path("removed").asBoolean());
        assertEquals(1, Dsv.run(lib, "config", "get", "user.id").exitCode());
    }

    @Test
    void unsetRestoresDefault() throws Exception {
        ok("config", "set", "lock_timeout_seconds", "30");
        assertEquals(30, configFile().path("lock_timeout_seconds").asInt());
        ok("config", "unset", "lock_timeout_seconds");
        assertFalse(configFile().has("lock_timeout_seconds"));
        assertEquals("10\n", ok("config", "get", "lock_timeout_seconds").out());
        JsonNode get = ok("--json", "config", "get", "lock_timeout_seconds").json();
        assertFalse(get.path("set").asBoolean(), get.toString());
        assertEquals(10, get.path("value").asInt());
    }

    @Test
    void setKeepsUnknownKeys() throws Exception {
        Path file = lib.resolve(".dsv/config.json");
        String text = Files.readString(file);
        Files.writeString(file, text.replaceFirst("\\{", "{\n  \"written_by_newer_dsv\" : {\"a\" : 1},"));
        ok("config", "set", "time_zone", "Europe/Berlin");
        JsonNode root = configFile();
        assertEquals(1, root.path("written_by_newer_dsv").path("a").asInt(), root.toString());
        assertEquals("Europe/Berlin", root.path("time_zone").asText());
        try (var dir = Files.list(lib.resolve(".dsv"))) {
            assertTrue(dir.noneMatch(p -> p.getFileName().toString().startsWith(".tmp-")), "no temporary file is left");
        }
    }

    @Test
    void cellTypesOnlyGrow() throws Exception {
        String current = ok("config", "get", "cell_types").out().strip();
        ok("config", "set", "cell_types", current + ",TBC");
        assertTrue(ok("config", "get", "cell_types").out().strip().endsWith(",TBC"));
        rejected(3, List.of("cell_types", "mono"), "config", "set", "cell_types", current.replace(",mono", ""));
        rejected(3, List.of("'PERC'"), "config", "set", "cell_types", current + ",perc");
        rejected(3, List.of("'none'"), "config", "set", "cell_types", current + ",none");
    }

    @Test
    void invalidKeysAndValuesRejected() {
        rejected(3, List.of("'user.name'", "user.id", "time_zone"), "config", "set", "user.name", "x");
        rejected(3, List.of("'user.name'", "user.id"), "config", "get", "user.name");
        rejected(3, List.of("'Mars/Olympus'", "Asia/Shanghai"), "config", "set", "time_zone", "Mars/Olympus");
        rejected(3, List.of("'-1'", "3600"), "config", "set", "lock_timeout_seconds", "-1");
        rejected(3, List.of("'soon'"), "config", "set", "lock_timeout_seconds", "soon");
        rejected(3, List.of("'3601'"), "config", "set", "lock_timeout_seconds", "3601");
        rejected(3, List.of("user.id"), "config", "set", "user.id", "  ");
        rejected(3, List.of("user.id"), "config", "set", "user.id", "lab\u000107");
        rejected(3, List.of("defect_types", "dsv vocab"), "config", "set", "defect_types", "crack");
        rejected(3, List.of("protected_branches", "dsv promote"), "config", "set", "protected_branches", "release");
        rejected(3, List.of("splits"), "config", "set", "splits", "train,test");
        rejected(3, List.of("repository_id"), "config", "set", "repository_id", "x");
        rejected(3, List.of("cell_types"), "config", "unset", "cell_types");
        rejected(2, List.of("get, set, unset, list"), "config");
    }

    @Test
    void signingFilesCheckedAtSet() throws Exception {
        rejected(3, List.of("signing.key", "keys/missing", lib.resolve("keys/missing").toString()),
                "config", "set", "signing.key", "keys/missing");
        rejected(3, List.of("signing.key", tmp.resolve("nowhere").toString()),
                "config", "set", "signing.key", tmp.resolve("nowhere").toString());
        rejected(3, List.of("signing.allowed_signers", ".dsv/allowed_signers"),
                "config", "set", "signing.allowed_signers", ".dsv/allowed_signers");
        Files.createDirectories(tmp.resolve("folder"));
        rejected(3, List.of("signing.key", "folder"), "config", "set", "signing.key", tmp.resolve("folder").toString());

        Path key = Files.writeString(tmp.resolve("id_ed25519"), "not checked as a key, only as a file\n");
        ok("config", "set", "signing.key", key.toString());
        assertEquals(key.toString(), configFile().path("signing").path("key").asText());
        Files.writeString(lib.resolve("team_signers"), "alice ssh-ed25519 AAAA\n");
        ok("config", "set", "signing.allowed_signers", "team_signers");
        assertEquals("team_signers", configFile().path("signing").path("allowed_signers").asText());
    }

    @Test
    void setWaitsForWriterLock() throws Exception {
        Map<String, String> before = RepoSnapshot.of(lib);
        try (Repository repo = Repository.open(lib);
             RepositoryLock held = repo.lockForWrite("test holder", Duration.ofSeconds(1))) {
            CliResult r = Dsv.run(lib, "--lock-timeout", "0", "config", "set", "user.id", "lab-07");
            assertEquals(6, r.exitCode(), r.toString());
            assertTrue(r.err().contains("test holder"), r.toString());
        }
        assertEquals(before, RepoSnapshot.of(lib));
    }

    @Test
    void userIdLabelsAddAndImport() throws Exception {
        Path batch = tmp.resolve("batch");
        Images.copySample(batch, 2);
        CliResult noLabeler = rejected(3, List.of("no labeler", "DSV_USER", "user.id"),
                "add", batch.toString(), "--cell-type", "mono", "--source", "production");
        assertTrue(noLabeler.err().contains("--labeler"), noLabeler.toString());

        ok("config", "set", "user.id", "lab-07");
        ok("add", batch.toString(), "--cell-type", "mono", "--source", "production");
        ok("commit", "-m", "batch");
        JsonNode shown = ok("--json", "show", "HEAD:batch/cell0001.png").json();
        assertEquals("lab-07", shown.path("label").path("labeler").asText(), shown.toString());

        ok("label", "set", "batch/cell0001.png", "--defect", "crack", "--labeler", "lab-09");
        ok("label", "set", "batch/cell0002.png", "--defect", "crack");
        ok("commit", "-m", "relabel");
        assertEquals("lab-09", ok("--json", "show", "HEAD:batch/cell0001.png").json().path("label").path("labeler").asText(),
                "--labeler wins over user.id");
        assertEquals("lab-07", ok("--json", "show", "HEAD:batch/cell0002.png").json().path("label").path("labeler").asText());
    }

    @Test
    void userIdAuthorsCommits() {
        ok("config", "set", "user.id", "lab-07");
        Path batch = tmp.resolve("batch");
        Images.copySample(batch, 1);
        ok("add", batch.toString(), "--cell-type", "mono", "--source", "production");
        ok("commit", "-m", "batch");
        JsonNode log = ok("--json", "log", "-n", "1").json();
        assertEquals("lab-07", log.path("commits").get(0).path("committer").asText(), log.toString());
        ok("add", batch.toString(), "--cell-type", "poly", "--source", "production", "--replace");
        ok("commit", "-m", "again", "--committer", "ci-bot");
        JsonNode second = ok("--json", "log", "-n", "1").json();
        assertEquals("ci-bot", second.path("commits").get(0).path("committer").asText(), "--committer wins");
    }

    @Test
    void userIdStaysInClone() throws Exception {
        ok("config", "set", "user.id", "lab-07");
        Path batch = tmp.resolve("batch");
        Images.copySample(batch, 1);
        ok("add", batch.toString(), "--cell-type", "mono", "--source", "production");
        ok("commit", "-m", "batch");
        Path remote = tmp.resolve("remote");
        ok("remote", "add", "origin", remote.toString());
        ok("push", "origin", "work");
        String shared = Files.readString(remote.resolve("config.json"));
        assertFalse(shared.contains("lab-07"), shared);
        CliResult cloned = Dsv.run(tmp, "clone", remote.toString(), "copy");
        assertEquals(0, cloned.exitCode(), cloned.toString());
        assertEquals(1, Dsv.run(tmp.resolve("copy"), "config", "get", "user.id").exitCode(), "a clone has no user.id");
    }

    @Test
    void reviewRecordTakesVerifierFromConfig() {
        CliResult none = rejected(2, List.of("--verifier", "DSV_USER", "user.id"),
                "review", "record", "--label", "abcd", "--pass");
        assertTrue(none.err().contains("no person id"), none.toString());
        ok("config", "set", "user.id", "senior-01");
        CliResult r = Dsv.run(lib, "review", "record", "--label", "abcd", "--pass");
        assertEquals(3, r.exitCode(), r.toString());
        assertTrue(r.err().contains("senior-01"), "the verifier from user.id is checked: " + r);
    }

    @Test
    void configOutsideRepository() {
        CliResult r = Dsv.run(tmp, "config", "list");
        assertEquals(4, r.exitCode(), r.toString());
    }
}
