package dev.dsv.remote;

import static dev.dsv.remote.RemoteFlowTest.addBatch;
import static dev.dsv.remote.RemoteFlowTest.aliceWithBatch;
import static dev.dsv.remote.RemoteFlowTest.head;
import static dev.dsv.remote.RemoteFlowTest.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dsv push --delete} on a directory remote: the ref becomes a tombstone by
 * compare-and-swap from the commit last fetched, protected branches stay, and a later push
 * creates the branch again.
 */
class RemoteDeleteTest {
    @TempDir
    Path tmp;

    Path alice;
    Path remote;

    @BeforeEach
    void setUp() {
        FaultyStorage.reset();
        remote = tmp.resolve("remote");
        alice = aliceWithBatch(tmp, "faulty:" + remote);
        ok(alice, "push");
        ok(alice, "switch", "-c", "old");
        ok(alice, "push", "origin", "old");
    }

    @AfterEach
    void tearDown() {
        FaultyStorage.reset();
    }


    private DirectoryStorage storage() {
        return new DirectoryStorage(remote, remote.toString());
    }

    private String remoteRef(String key) {
        RemoteStorage.Versioned v = storage().getVersioned(key);
        return v == null ? null : new String(v.bytes(), StandardCharsets.US_ASCII).trim();
    }

    private boolean tracks(Path library, String branch) {
        return Files.exists(library.resolve(".dsv/refs/remotes/origin/" + branch));
    }

    @Test
    void deleteRemovesBranchEverywhere() {
        ok(tmp, "clone", "faulty:" + remote, "bob");
        Path bob = tmp.resolve("bob");
        String old = head(alice, "old");

        JsonNode deleted = ok(alice, "--json", "push", "--delete", "origin", "old").json();

        assertEquals("deleted", deleted.path("ref").asText(), deleted.toString());
        assertEquals(old, deleted.path("previous").asText());
        assertTrue(deleted.path("commit").isNull());
        assertFalse(tracks(alice, "old"), "the remote-tracking ref is gone");
        assertEquals(old, head(alice, "old"), "the local branch stays");
        assertEquals("deleted " + old, remoteRef("refs/heads/old"));
        assertTrue(new String(storage().get("format"), StandardCharsets.UTF_8).contains("\"version\":2"));

        JsonNode fetched = ok(bob, "--json", "fetch").json();
        assertEquals("old", fetched.path("updated").get(0).path("branch").asText(), fetched.toString());
        assertTrue(fetched.path("updated").get(0).path("after").isNull());
        assertFalse(tracks(bob, "old"));

        ok(tmp, "clone", "faulty:" + remote, "carol");
        assertFalse(tracks(tmp.resolve("carol"), "old"));
        assertEquals(5, Dsv.run(tmp.resolve("carol"), "log", "old").exitCode(), "clone made no branch old");
    }

    @Test
    void pushAfterDeleteCreatesBranchAgain() {
        ok(alice, "push", "--delete", "origin", "old");

        JsonNode pushed = ok(alice, "--json", "push", "origin", "old").json();

        assertEquals("created", pushed.path("ref").asText(), pushed.toString());
        assertEquals(head(alice, "old"), remoteRef("refs/heads/old"));
        assertEquals(head(alice, "old"), head(alice, "origin/old"));
    }

    @Test
    void deleteRejectsBranchMovedSinceFetch() {
        ok(tmp, "clone", "faulty:" + remote, "bob");
        Path bob = tmp.resolve("bob");
        addBatch(tmp, alice, "batch-b", 2, 4);
        ok(alice, "commit", "-m", "batch b");
        ok(alice, "push", "origin", "old");
        String fetched = head(bob, "origin/old");

        CliResult refused = Dsv.run(bob, "push", "--delete", "origin", "old");

        assertEquals(11, refused.exitCode(), refused.toString());
        assertTrue(refused.err().contains(head(alice, "old").substring(0, 12)), refused.err());
        assertTrue(refused.err().contains(fetched.substring(0, 12)), refused.err());
        assertEquals(head(alice, "old"), remoteRef("refs/heads/old"));
        assertEquals(fetched, head(bob, "origin/old"), "the tracking ref stays");
    }

    @Test
    void deleteLosingRaceKeepsOtherPush() {
        String other = head(alice, "old");
        String moved = "cd".repeat(32);
        FaultyStorage.beforeNextSwap = () -> {
            RemoteStorage.Versioned v = storage().getVersioned("refs/heads/old");
            storage().compareAndSwap("refs/heads/old", v.version(), (moved + "\n").getBytes(StandardCharsets.US_ASCII));
        };

        CliResult refused = Dsv.run(alice, "push", "--delete", "origin", "old");

        assertEquals(11, refused.exitCode(), refused.toString());
        assertTrue(refused.err().contains(moved.substring(0, 12)), refused.err());
        assertEquals(moved, remoteRef("refs/heads/old"));
        assertEquals(other, head(alice, "origin/old"), "the tracking ref stays");
    }

    @Test
    void deleteRejectsProtectedBranch() {
        CliResult refused = Dsv.run(alice, "push", "--delete", "origin", "main");

        assertEquals(12, refused.exitCode(), refused.toString());
        assertTrue(refused.err().contains("protected/refs/heads/main"), refused.err());
    }

    @Test
    void deleteRejectsBranchProtectedOnRemote() {
        String commit = head(alice, "work");
        storage().compareAndSwap("protected/refs/heads/frozen", null,
                (commit + "\n").getBytes(StandardCharsets.US_ASCII));
        ok(alice, "fetch");
        assertTrue(tracks(alice, "frozen"));

        CliResult refused = Dsv.run(alice, "push", "--delete", "origin", "frozen");

        assertEquals(12, refused.exitCode(), refused.toString());
        assertEquals(commit, remoteRef("protected/refs/heads/frozen"));
    }

    @Test
    void deleteNeedsFetchedBranch() {
        storage().compareAndSwap("refs/heads/unseen", null,
                (head(alice, "work") + "\n").getBytes(StandardCharsets.US_ASCII));

        CliResult refused = Dsv.run(alice, "push", "--delete", "origin", "unseen");

        assertEquals(5, refused.exitCode(), refused.toString());
        assertTrue(refused.err().contains("dsv fetch origin"), refused.err());
        assertEquals(head(alice, "work"), remoteRef("refs/heads/unseen"));
    }

    @Test
    void deleteWithoutBranchIsUsageError() {
        CliResult refused = Dsv.run(alice, "push", "--delete", "origin");

        assertEquals(2, refused.exitCode(), refused.toString());
    }
}
