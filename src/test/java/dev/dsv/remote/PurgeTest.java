package dev.dsv.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.model.ObjectId;
import dev.dsv.repo.Repository;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.Images;
import dev.dsv.testing.RepoSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dsv purge} on a local repository and a directory remote: the bytes leave every pack,
 * commit ids stay, fsck passes, and export, verify, clone and push know the blob as purged.
 */
class PurgeTest {
    @TempDir
    Path tmp;

    Path alice;
    Path remote;
    String path;
    String blob;
    byte[] bytes;

    @BeforeEach
    void setUp() throws IOException {
        alice = RemoteFlowTest.aliceWithBatch(tmp, tmp.resolve("remote").toString());
        remote = tmp.resolve("remote");
        JsonNode first = ok(alice, "--json", "ls").json().path("images").get(0);
        path = first.path("path").asText();
        blob = first.path("sha256").asText();
        bytes = Files.readAllBytes(Images.sampleImages().get(0));
        assertTrue(holders(alice).size() > 0, "the sample bytes are in the store before the purge");
    }

    private static CliResult ok(Path dir, String... args) {
        return RemoteFlowTest.ok(dir, args);
    }

    /** Returns the files under {@code root} that contain the purged image's bytes. */
    private List<Path> holders(Path root) throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path f : walk.filter(Files::isRegularFile).toList()) {
                if (contains(Files.readAllBytes(f), bytes)) {
                    out.add(f);
                }
            }
        }
        return out;
    }

    private static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    @Test
    void localPurgeKeepsCommitIds() throws IOException {
        String head = RemoteFlowTest.head(alice, "work");
        ok(alice, "remote", "remove", "origin");
        JsonNode done = ok(alice, "--json", "purge", path, "--reason", "customer contract ended").json();
        assertEquals(blob, done.path("purged").get(0).path("blob").asText());
        assertTrue(done.path("local_packs_rewritten").asInt() >= 1, done.toString());

        assertEquals(List.of(), holders(alice));
        assertEquals(head, RemoteFlowTest.head(alice, "work"));
        JsonNode fsck = ok(alice, "--json", "fsck").json();
        assertTrue(fsck.path("ok").asBoolean(), fsck.toString());
        assertTrue(fsck.path("absent_by_design").toString().contains(blob), fsck.toString());
        assertTrue(Files.readString(alice.resolve(".dsv/objects/absent")).contains(blob + " purged"));
        assertEquals(path, ok(alice, "--json", "ls").json().path("images").get(0).path("path").asText());

        CliResult export = Dsv.run(alice, "export", "--out", tmp.resolve("out").toString());
        assertEquals(7, export.exitCode(), export.toString());
        assertTrue(export.err().contains(path), export.toString());
        assertTrue(export.err().contains("customer contract ended"), export.toString());
        assertFalse(Files.exists(tmp.resolve("out")));

        CliResult verify = Dsv.run(alice, "--json", "verify");
        assertEquals(1, verify.exitCode(), verify.toString());
        assertTrue(verify.out().contains("absent by design: purged"), verify.toString());
    }

    @Test
    void secondRunWritesNoSecondRecord() {
        ok(alice, "remote", "remove", "origin");
        ok(alice, "purge", path, "--reason", "court order");
        JsonNode again = ok(alice, "--json", "purge", "--blob", blob, "--reason", "court order").json();
        assertTrue(again.path("purged").get(0).path("already_purged").asBoolean(), again.toString());
        CliResult gc = ok(alice, "gc", "--grace", "0s");
        assertEquals(1, purgeRecords(alice), gc.toString());
    }

    private static int purgeRecords(Path library) {
        try (Repository repo = Repository.open(library)) {
            int n = 0;
            for (ObjectId id : repo.metadataLog().ids()) {
                if (repo.metadataLog().read(id).kind().equals("purge")) {
                    n++;
                }
            }
            return n;
        }
    }

    @Test
    void badArgumentsChangeNothing() {
        Map<String, String> before = RepoSnapshot.of(alice);
        assertEquals(2, Dsv.run(alice, "purge", path).exitCode(), "--reason is required");
        assertEquals(2, Dsv.run(alice, "purge", path, "--reason", "  ").exitCode());
        assertEquals(5, Dsv.run(alice, "purge", "batch-a/no-such.png", "--reason", "x").exitCode());
        assertEquals(2, Dsv.run(alice, "purge", "--blob", "abc", "--reason", "x").exitCode());
        assertEquals(5, Dsv.run(alice, "purge", "--blob", "0".repeat(64), "--reason", "x").exitCode());
        assertEquals(before, RepoSnapshot.of(alice));
    }

    @Test
    void directoryRemoteLosesBytesAndClonesKnowWhy() throws IOException {
        ok(alice, "push");
        ok(tmp, "clone", remote.toString(), "carol");
        Path carol = tmp.resolve("carol");
        assertFalse(holders(remote).isEmpty());

        // Leftovers of interrupted writes: a remote pack whose index never arrived, a local push
        // pack in outgoing/ and a local temporary pack.
        Path pushed = holders(remote).get(0);
        Files.copy(pushed, remote.resolve("packs").resolve("pack-" + "0".repeat(64) + ".pack"));
        Files.createDirectories(alice.resolve(".dsv/remotes/origin/outgoing"));
        Files.copy(pushed, alice.resolve(".dsv/remotes/origin/outgoing/pack-left.pack"));
        Files.copy(pushed, alice.resolve(".dsv/objects/pack/tmp-left.pack"));

        JsonNode done = ok(alice, "--json", "purge", path, "--reason", "court order 17").json();
        JsonNode origin = done.path("remotes").get(0);
        assertEquals(2, origin.path("blobs_removed").asInt(), done.toString());
        assertEquals(1, origin.path("records_uploaded").asInt(), done.toString());
        assertEquals(List.of(), holders(remote));
        assertEquals(List.of(), holders(alice));

        ok(tmp, "clone", remote.toString(), "bob");
        Path bob = tmp.resolve("bob");
        assertEquals(RemoteFlowTest.head(alice, "work"), RemoteFlowTest.head(bob, "work"));
        assertTrue(Files.readString(bob.resolve(".dsv/objects/absent")).contains(blob + " purged"));
        assertTrue(ok(bob, "--json", "fsck").json().path("ok").asBoolean());
        assertEquals(List.of(), holders(bob));

        // carol's store still contains the bytes. Once she has fetched the purge record, her push leaves them out.
        ok(carol, "fetch");
        ok(carol, "switch", "-c", "more", "work");
        RemoteFlowTest.addBatch(tmp, carol, "batch-c", 2, 3);
        ok(carol, "commit", "-m", "batch c");
        ok(carol, "push", "origin", "more");
        assertEquals(List.of(), holders(remote));
    }

    @Test
    void pushFromUnfetchedCloneSkipsPurgedBlob() throws IOException {
        ok(alice, "push");
        ok(tmp, "clone", remote.toString(), "clpre");
        Path clpre = tmp.resolve("clpre");
        ok(alice, "purge", path, "--reason", "customer contract");
        assertEquals(List.of(), holders(remote));

        // clpre never fetched the purge record, and its store still contains the bytes.
        assertFalse(holders(clpre).isEmpty());
        ok(clpre, "switch", "-c", "b9", "work");
        // The new image goes into the purged image's folder, so push walks that folder's tree node again.
        RemoteFlowTest.addBatch(tmp, clpre, "batch-a", 2, 3);
        ok(clpre, "commit", "-m", "batch c");
        JsonNode pushed = ok(clpre, "--json", "push", "origin", "b9").json();
        assertEquals(List.of(), holders(remote), pushed.toString());
        assertEquals(1, pushed.path("purge_records_adopted").asInt(), pushed.toString());
        assertEquals(1, pushed.path("absent_blobs_skipped").asInt(), pushed.toString());
        assertEquals(1, purgeRecords(clpre), "the push added the remote's purge record to the local log");

        JsonNode again = ok(clpre, "--json", "push", "origin", "b9").json();
        assertEquals(0, again.path("purge_records_adopted").asInt(), again.toString());

        // clpre still has the bytes, but its log has the purge record now, so its export rejects them.
        CliResult stale = Dsv.run(clpre, "export", "b9", "--out", tmp.resolve("out-stale").toString());
        assertEquals(7, stale.exitCode(), stale.toString());
        assertTrue(stale.err().contains(path), stale.toString());
        assertFalse(Files.exists(tmp.resolve("out-stale")), "a refused export leaves no folder");

        ok(tmp, "clone", remote.toString(), "fresh");
        Path fresh = tmp.resolve("fresh");
        assertTrue(Files.readString(fresh.resolve(".dsv/objects/absent")).contains(blob + " purged"));
        assertEquals(List.of(), holders(fresh));
        CliResult export = Dsv.run(fresh, "export", "b9", "--out", tmp.resolve("out-fresh").toString());
        assertEquals(7, export.exitCode(), export.toString());
        assertTrue(export.err().contains(path), export.toString());
        assertTrue(export.err().contains("customer contract"), export.toString());
    }
}
