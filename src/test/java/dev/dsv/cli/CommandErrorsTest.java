package dev.dsv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dsv.repo.Repository;
import dev.dsv.repo.RepositoryLock;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.Images;
import dev.dsv.testing.RepoSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exit codes and messages of the errors every command shares, and that they change nothing. */
class CommandErrorsTest {
    @TempDir
    Path tmp;

    Path library;

    @BeforeEach
    void setUp() {
        library = tmp.resolve("lib");
        assertEquals(0, Dsv.run(tmp, "init", "lib").exitCode());
        assertEquals(0, Dsv.run(tmp.resolve("lib"), "switch", "-c", "work").exitCode());
        Images.copySample(tmp.resolve("batch"), 2);
    }

    private void addBatch() {
        CliResult r = Dsv.run(library, "add", "../batch", "--cell-type", "poly", "--source", "production",
                "--labeler", "lab-01");
        assertEquals(0, r.exitCode(), r.toString());
    }

    @Test
    void emptyCommitRejected() {
        Map<String, String> before = RepoSnapshot.of(library);
        CliResult r = Dsv.run(library, "commit", "-m", "nothing here");
        assertEquals(9, r.exitCode(), r.toString());
        assertTrue(r.err().contains("nothing to commit on work"), r.toString());
        assertEquals(before, RepoSnapshot.of(library));

        addBatch();
        assertEquals(0, Dsv.run(library, "commit", "-m", "batch").exitCode());
        Map<String, String> afterCommit = RepoSnapshot.of(library);
        CliResult again = Dsv.run(library, "commit", "-m", "again");
        assertEquals(9, again.exitCode(), again.toString());
        assertEquals(afterCommit, RepoSnapshot.of(library));
    }

    @Test
    void blankMessageIsUsageError() {
        addBatch();
        CliResult r = Dsv.run(library, "commit", "-m", "   ");
        assertEquals(2, r.exitCode(), r.toString());
    }

    @Test
    void newerFormatRefusedByEveryCommand() throws IOException {
        addBatch();
        Files.writeString(library.resolve(".dsv/format"), "dsv-repository 4\n");
        Map<String, String> before = RepoSnapshot.of(library);
        for (String[] args : new String[][] {
            {"status"}, {"commit", "-m", "x"}, {"log"}, {"ls"}, {"fsck"},
            {"add", "../batch", "--cell-type", "poly", "--source", "production", "--labeler", "x"}}) {
            CliResult r = Dsv.run(library, args);
            assertEquals(8, r.exitCode(), String.join(" ", args) + "\n" + r);
            assertTrue(r.err().contains("format version 4"), r.toString());
            assertTrue(r.err().contains("Upgrade dsv"), r.toString());
        }
        assertEquals(before, RepoSnapshot.of(library));
        assertTrue(Files.notExists(library.resolve(".dsv/index.sqlite-journal")));
    }

    @Test
    void notARepository() throws IOException {
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        CliResult r = Dsv.run(elsewhere, "status");
        assertEquals(4, r.exitCode(), r.toString());
        assertTrue(r.err().contains("not a dsv repository"), r.toString());
        assertTrue(r.err().contains("dsv init"), r.toString());
        CliResult json = Dsv.run(elsewhere, "--json", "log");
        assertEquals(4, json.exitCode());
        assertEquals("not_a_repository", json.json().path("error").path("code").asText());
    }

    @Test
    void initTwiceRefused() {
        Map<String, String> before = RepoSnapshot.of(library);
        CliResult r = Dsv.run(tmp, "init", "lib");
        assertEquals(3, r.exitCode(), r.toString());
        assertEquals(before, RepoSnapshot.of(library));
    }

    @Test
    void unknownRevision() {
        addBatch();
        assertEquals(0, Dsv.run(library, "commit", "-m", "batch").exitCode());
        for (String[] args : new String[][] {{"log", "nosuchbranch"}, {"show", "deadbeef"}, {"ls", "HEAD~5"},
            {"show", "HEAD:batch/missing.png"}}) {
            CliResult r = Dsv.run(library, args);
            assertEquals(5, r.exitCode(), String.join(" ", args) + "\n" + r);
        }
        CliResult r = Dsv.run(library, "log", "nosuchbranch");
        assertTrue(r.err().contains("'nosuchbranch'"), r.toString());
    }

    @Test
    void logBeforeFirstCommit() {
        CliResult r = Dsv.run(library, "log");
        assertEquals(5, r.exitCode(), r.toString());
        assertTrue(r.err().contains("no commits yet"), r.toString());
    }

    @Test
    void unknownOptionIsUsageError() {
        CliResult r = Dsv.run(library, "ls", "--colour");
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("--colour"), r.toString());
        CliResult json = Dsv.run(library, "--json", "ls", "--colour");
        assertEquals(2, json.exitCode());
        assertEquals("usage", json.json().path("error").path("code").asText());
    }

    @Test
    void unknownFilterValueNamesAllowedOnes() {
        addBatch();
        assertEquals(0, Dsv.run(library, "commit", "-m", "batch").exitCode());
        CliResult r = Dsv.run(library, "ls", "--cell-type", "perovskite");
        assertEquals(3, r.exitCode(), r.toString());
        assertTrue(r.err().contains("perovskite"), r.toString());
        assertTrue(r.err().contains("HJT"), r.toString());
    }

    @Test
    void secondWriterTimesOutNamingHolder() throws Exception {
        Map<String, String> before = RepoSnapshot.of(library);
        try (Repository repo = Repository.open(library);
             RepositoryLock held = repo.lockForWrite("test holder", Duration.ofSeconds(1))) {
            long start = System.nanoTime();
            CliResult r = Dsv.run(library, "--lock-timeout", "1", "add", "../batch", "--cell-type", "poly",
                    "--source", "production", "--labeler", "lab-01");
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(6, r.exitCode(), r.toString());
            assertTrue(r.err().contains("test holder"), r.toString());
            assertTrue(r.err().contains("pid " + ProcessHandle.current().pid()), r.toString());
            assertTrue(millis >= 900, "gave up before the timeout: " + millis + " ms");
            assertEquals(before, RepoSnapshot.of(library));
        }
        addBatch();
    }

    @Test
    void writerWaitsForReleasedLock() throws Exception {
        Repository repo = Repository.open(library);
        RepositoryLock held = repo.lockForWrite("short holder", Duration.ofSeconds(1));
        Thread releaser = new Thread(() -> {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            held.close();
        });
        releaser.start();
        CliResult r = Dsv.run(library, "--lock-timeout", "10", "add", "../batch", "--cell-type", "poly",
                "--source", "production", "--labeler", "lab-01");
        releaser.join();
        repo.close();
        assertEquals(0, r.exitCode(), r.toString());
    }
}
