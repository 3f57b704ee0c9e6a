package dev.dsv.remote;

import static dev.dsv.remote.RemoteFlowTest.addBatch;
import static dev.dsv.remote.RemoteFlowTest.aliceWithBatch;
import static dev.dsv.remote.RemoteFlowTest.head;
import static dev.dsv.remote.RemoteFlowTest.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fetch from a remote whose listing misses keys that existed before it began, as S3Proxy 3.3.0's
 * filesystem backend returns while another client writes into the same folder. The interleaving
 * is forced: alice pushes a second commit, then bob's fetch reads the new ref and gets the
 * {@code packs/} listing saved before alice's push, which lacks the pack holding that commit.
 */
class ShortListingTest {
    @TempDir
    Path tmp;

    Path alice;
    Path bob;
    Path remote;

    @BeforeEach
    void setUp() {
        FaultyStorage.reset();
        bob = tmp.resolve("bob");
        remote = tmp.resolve("remote");
        alice = aliceWithBatch(tmp, "faulty:" + remote);
        ok(alice, "push");
        ok(tmp, "clone", "faulty:" + remote, "bob");
    }

    @AfterEach
    void tearDown() {
        FaultyStorage.reset();
    }


    /** Lets alice push a second commit; returns the listing of {@code packs/} from before it. */
    private List<RemoteStorage.KeyInfo> pushSecondCommitAfterSavingListing() {
        List<RemoteStorage.KeyInfo> before = new DirectoryStorage(remote, remote.toString()).list("packs/");
        addBatch(tmp, alice, "batch-b", 2, 4);
        ok(alice, "commit", "-m", "batch b");
        ok(alice, "push");
        assertNotEquals(before, new DirectoryStorage(remote, remote.toString()).list("packs/"));
        return before;
    }

    @Test
    void fetchRelistsPacksOnMissingCommit() {
        List<RemoteStorage.KeyInfo> before = pushSecondCommitAfterSavingListing();
        FaultyStorage.shortListing("packs/", before, 1);
        FaultyStorage.listings.clear();

        CliResult fetched = Dsv.run(bob, "fetch");

        assertEquals(0, fetched.exitCode(), fetched.toString());
        assertEquals(2, FaultyStorage.listed("packs/"), "the short listing was followed by one more");
        assertEquals(head(alice, "work"), head(bob, "origin/work"));
        assertTrue(ok(bob, "--json", "fsck").json().path("ok").asBoolean());
    }

    @Test
    void fetchFailsWhenListingStaysShort() {
        List<RemoteStorage.KeyInfo> before = pushSecondCommitAfterSavingListing();
        String old = head(bob, "origin/work");
        FaultyStorage.shortListing("packs/", before, 2);

        CliResult fetched = Dsv.run(bob, "fetch");

        assertEquals(7, fetched.exitCode(), fetched.toString());
        assertTrue(fetched.err().contains("refs/heads/work"), fetched.err());
        assertTrue(fetched.err().contains(head(alice, "work").substring(0, 12)), fetched.err());
        assertEquals(old, head(bob, "origin/work"), "the tracking ref did not move");
    }

    @Test
    void fetchRelistsPacksOnMissingBlob() {
        List<RemoteStorage.KeyInfo> before = pushSecondCommitAfterSavingListing();
        DirectoryStorage direct = new DirectoryStorage(remote, remote.toString());
        java.util.Set<String> blobPacks = new java.util.HashSet<>();
        RemoteIndex.load(direct, tmp.resolve("idx-cache"), 1).forEach((key, entry) -> {
            if (entry.type() == dev.dsv.model.ObjectType.BLOB) {
                blobPacks.add(key.substring(0, key.length() - ".pack".length()));
            }
        });
        List<RemoteStorage.KeyInfo> withoutNewBlobs = direct.list("packs/").stream()
                .filter(k -> before.contains(k) || !blobPacks.contains(k.key().replaceAll("\\.(pack|idx)$", "")))
                .toList();
        assertTrue(withoutNewBlobs.size() < direct.list("packs/").size(), "the short listing lacks a blob pack");
        FaultyStorage.shortListing("packs/", withoutNewBlobs, 1);
        FaultyStorage.listings.clear();

        ok(bob, "fetch");

        com.fasterxml.jackson.databind.JsonNode fsck = ok(bob, "--json", "fsck").json();
        assertEquals(0, fsck.path("absent_by_design").size(), "no blob recorded absent: " + fsck);
        assertTrue(fsck.path("ok").asBoolean(), fsck.toString());
        assertEquals(head(alice, "work"), head(bob, "origin/work"));
        assertEquals(2, FaultyStorage.listed("packs/"), "the short listing was followed by one more");
    }

    @Test
    void fetchKeepsBranchMissingFromRefListing() {
        ok(alice, "switch", "-c", "second");
        ok(alice, "push", "origin", "second");
        ok(bob, "fetch");
        String second = head(bob, "origin/second");
        List<RemoteStorage.KeyInfo> withoutSecond = new DirectoryStorage(remote, remote.toString())
                .list("refs/heads/").stream().filter(k -> !k.key().endsWith("/second")).toList();
        assertEquals(1, withoutSecond.size(), withoutSecond.toString());
        FaultyStorage.shortListing("refs/heads/", withoutSecond, 1);

        ok(bob, "fetch");

        assertEquals(second, head(bob, "origin/second"));
    }

    @Test
    void fetchDropsBranchWhoseRefIsGone() {
        ok(alice, "switch", "-c", "second");
        ok(alice, "push", "origin", "second");
        ok(bob, "fetch");
        RemoteService.deleteTree(remote.resolve("refs/heads/second@cas"));

        ok(bob, "fetch");

        assertFalse(Files.exists(bob.resolve(".dsv/refs/remotes/origin/second")));
        assertEquals(5, Dsv.run(bob, "log", "origin/second").exitCode());
    }
}
