package dev.dsv.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.ReviewFlow;
import dev.dsv.testing.Images;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Push, fetch, pull and clone through a directory remote shared by several clones. */
class RemoteFlowTest {
    @TempDir
    Path tmp;

    Path alice;
    Path remote;

    @BeforeEach
    void setUp() {
        alice = tmp.resolve("alice");
        remote = tmp.resolve("remote");
        ok(tmp, "init", "alice");
        ok(alice, "switch", "-c", "batch-a");
        addBatch(alice, "batch-a", 0, 6);
        ok(alice, "commit", "-m", "batch a");
        ok(alice, "remote", "add", "origin", remote.toString());
    }

    static CliResult ok(Path dir, String... args) {
        CliResult r = Dsv.run(dir, args);
        assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r);
        return r;
    }

    /** Copies sample images [from, to) into a folder named after the batch and adds them. */
    void addBatch(Path library, String batch, int from, int to) {
        addBatch(tmp, library, batch, from, to);
    }

    /** Like {@link #addBatch(Path, String, int, int)}, with the image folder created under {@code tmp}. */
    static void addBatch(Path tmp, Path library, String batch, int from, int to) {
        Path folder = tmp.resolve("in-" + library.getFileName() + "-" + batch);
        try {
            Files.createDirectories(folder);
            for (Path p : Images.sampleImages().subList(from, to)) {
                Files.copy(p, folder.resolve(p.getFileName()));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        ok(library, "add", folder.toString(), "--prefix", batch, "--cell-type", "mono", "--source", "production",
                "--labeler", "lab-01");
    }

    /**
     * Makes the library {@code tmp/alice} on branch {@code work} with one committed batch of two
     * sample images and the remote {@code origin} at {@code url}; returns its folder.
     */
    static Path aliceWithBatch(Path tmp, String url) {
        Path alice = tmp.resolve("alice");
        ok(tmp, "init", "alice");
        ok(alice, "switch", "-c", "work");
        addBatch(tmp, alice, "batch-a", 0, 2);
        ok(alice, "commit", "-m", "batch a");
        ok(alice, "remote", "add", "origin", url);
        return alice;
    }

    static String head(Path library, String rev) {
        return ok(library, "--json", "log", rev, "-n", "1").json().path("commits").get(0).path("id").asText();
    }

    @Test
    void pushThenNoOpPushSendsNothing() {
        JsonNode first = ok(alice, "--json", "push").json();
        assertEquals("created", first.path("ref").asText());
        assertTrue(first.path("objects_sent").asLong() > 6, first.toString());
        assertTrue(Files.isDirectory(remote.resolve("refs/heads/batch-a@cas")));

        JsonNode again = ok(alice, "--json", "push", "origin", "batch-a").json();
        assertEquals("up-to-date", again.path("ref").asText());
        assertEquals(0, again.path("objects_sent").asLong());
        assertEquals(0, again.path("bytes_sent").asLong());
        assertEquals(head(alice, "batch-a"), head(alice, "origin/batch-a"));
    }

    @Test
    void cloneHasSameHistoryAndPassesFsck() {
        ok(alice, "push");
        JsonNode clone = ok(tmp, "--json", "clone", remote.toString(), "bob").json();
        Path bob = tmp.resolve("bob");
        assertEquals("batch-a", clone.path("branch").asText());
        assertEquals(head(alice, "batch-a"), head(bob, "batch-a"));
        assertEquals(head(alice, "batch-a"), head(bob, "origin/batch-a"));
        JsonNode fsck = ok(bob, "--json", "fsck").json();
        assertTrue(fsck.path("ok").asBoolean(), fsck.toString());
        assertEquals(0, fsck.path("absent_by_design").size());
        JsonNode status = ok(bob, "--json", "status").json();
        assertEquals(0, status.path("changes").size());
        ok(bob, "export", "batch-a", "--out", tmp.resolve("bob-export").toString());
        ok(alice, "export", "batch-a", "--out", tmp.resolve("alice-export").toString());
        assertEquals(files(tmp.resolve("alice-export")), files(tmp.resolve("bob-export")));
    }

    @Test
    void twoClonesExchangeBatchesAndPromote() {
        ok(alice, "push");
        ok(tmp, "clone", remote.toString(), "bob");
        Path bob = tmp.resolve("bob");
        ok(bob, "switch", "-c", "batch-b", "batch-a");
        addBatch(bob, "batch-b", 6, 12);
        ok(bob, "commit", "-m", "batch b");
        ok(bob, "push", "origin", "batch-b");

        // Alice pulls Bob's batch into her branch, reviews and promotes it into main.
        JsonNode pulled = ok(alice, "--json", "pull", "origin", "batch-b").json();
        assertEquals("fast-forward", pulled.path("result").asText());
        assertEquals(12, ok(alice, "--json", "ls").json().path("count").asInt());
        ReviewFlow.addVerifier(Dsv::run, alice, "senior-01");
        ReviewFlow.passAll(Dsv::run, alice, "batch-a", "senior-01");
        ok(alice, "promote", "batch-a", "--into", "main");
        JsonNode pushedMain = ok(alice, "--json", "push", "origin", "main").json();
        assertEquals("created", pushedMain.path("ref").asText());
        assertTrue(Files.isDirectory(remote.resolve("protected/refs/heads/main@cas")));
        assertFalse(Files.exists(remote.resolve("refs/heads/main@cas")));

        // Bob's main fast-forwards to the promoted main, and his log shows the promotion record.
        ok(bob, "switch", "main");
        JsonNode bobPull = ok(bob, "--json", "pull").json();
        assertEquals("fast-forward", bobPull.path("result").asText());
        assertEquals(head(alice, "main"), head(bob, "main"));
        assertTrue(bobPull.path("fetch").path("meta_records").asInt() >= 2, bobPull.toString());
        JsonNode log = ok(bob, "--json", "log", "main", "-n", "1").json();
        assertTrue(log.toString().contains("promotion"), log.toString());
    }

    @Test
    void nonFastForwardPushRejected() {
        ok(alice, "push");
        ok(tmp, "clone", remote.toString(), "bob");
        Path bob = tmp.resolve("bob");
        addBatch(bob, "bob-1", 6, 8);
        ok(bob, "commit", "-m", "bob one");
        ok(bob, "push");
        addBatch(alice, "alice-1", 8, 10);
        ok(alice, "commit", "-m", "alice one");

        Map<String, String> remoteBefore = files(remote);
        CliResult refused = Dsv.run(alice, "push");
        assertEquals(11, refused.exitCode(), refused.toString());
        assertTrue(refused.err().contains("dsv pull origin batch-a"), refused.toString());
        assertEquals(remoteBefore, files(remote), "a refused push writes nothing");

        JsonNode pulled = ok(alice, "--json", "pull").json();
        assertEquals("merge", pulled.path("result").asText());
        ok(alice, "push");
        ok(bob, "pull");
        assertEquals(10, ok(bob, "--json", "ls").json().path("count").asInt());
        assertEquals(head(alice, "batch-a"), head(bob, "batch-a"));
    }

    @Test
    void metadataLogSyncsByUnionBothWays() {
        ok(alice, "people", "add", "senior-01", "--role", "verifier");
        ok(alice, "push");
        ok(tmp, "clone", remote.toString(), "bob");
        Path bob = tmp.resolve("bob");
        ok(bob, "people", "add", "senior-02", "--role", "verifier");
        ok(bob, "push");
        ok(alice, "fetch");
        List<String> aliceIds = metaIds(alice);
        List<String> bobIds = metaIds(bob);
        assertEquals(new HashSet<>(bobIds), new HashSet<>(aliceIds));
        assertEquals(2, aliceIds.size());
    }

    static List<String> metaIds(Path library) {
        try {
            return Files.readAllLines(library.resolve(".dsv/meta/log")).stream().filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void siteLocalBytesNeverReachRemote() throws IOException {
        List<Path> images = Images.sampleImages().subList(0, 6);
        ok(alice, "set", "--site-local", "batch-a/" + images.get(1).getFileName(), "batch-a/" + images.get(4).getFileName());
        ok(alice, "commit", "-m", "customer images stay here");
        JsonNode pushed = ok(alice, "--json", "push").json();
        assertEquals(2, pushed.path("site_local_blobs_kept").asInt());

        List<byte[]> secret = List.of(Files.readAllBytes(images.get(1)), Files.readAllBytes(images.get(4)));
        List<byte[]> shared = List.of(Files.readAllBytes(images.get(0)));
        List<Path> files;
        try (Stream<Path> walk = Files.walk(remote)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        assertFalse(files.isEmpty());
        for (Path f : files) {
            byte[] content = Files.readAllBytes(f);
            for (byte[] s : secret) {
                assertFalse(contains(content, s), "site-local image bytes found in " + f);
            }
        }
        assertTrue(files.stream().anyMatch(f -> {
            try {
                return contains(Files.readAllBytes(f), shared.get(0));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }), "an ordinary image is on the remote, so the search itself works");

        // A clone lists the images with their hashes and labels, and records the blobs absent.
        ok(tmp, "clone", remote.toString(), "bob");
        Path bob = tmp.resolve("bob");
        assertEquals(6, ok(bob, "--json", "ls").json().path("count").asInt());
        JsonNode fsck = ok(bob, "--json", "fsck").json();
        assertEquals(2, fsck.path("absent_by_design").size(), fsck.toString());
        assertTrue(fsck.toString().contains("site-local"), fsck.toString());
    }

    @Test
    void siteLocalBranchKeepsItsOwnBlobs() throws IOException {
        ok(alice, "switch", "-c", "customer-x");
        addBatch(alice, "customer-x", 20, 24);
        ok(alice, "commit", "-m", "customer line");
        ok(alice, "branch", "customer-x", "--site-local");
        assertTrue(ok(alice, "--json", "branch").json().toString().contains("\"site_local\":true"));
        JsonNode pushed = ok(alice, "--json", "push", "origin", "customer-x").json();
        // The four customer images stay; the six it inherited from batch-a are shared data.
        assertEquals(4, pushed.path("site_local_blobs_kept").asInt(), pushed.toString());
        for (Path image : Images.sampleImages().subList(20, 24)) {
            assertFalse(onRemote(image), image + " is on the remote");
        }
        for (Path image : Images.sampleImages().subList(0, 6)) {
            assertTrue(onRemote(image), image + " is missing from the remote");
        }
    }

    @Test
    void siteLocalBranchSparesSharedBranch() throws IOException {
        ok(alice, "switch", "-c", "customer-x");
        addBatch(alice, "customer-x", 20, 22);
        ok(alice, "commit", "-m", "customer line");
        ok(alice, "branch", "customer-x", "--site-local");
        JsonNode pushed = ok(alice, "--json", "push", "origin", "batch-a").json();
        assertEquals(0, pushed.path("site_local_blobs_kept").asInt(), pushed.toString());
        ok(tmp, "clone", remote.toString(), "bob");
        JsonNode fsck = ok(tmp.resolve("bob"), "--json", "fsck").json();
        assertEquals(0, fsck.path("absent_by_design").size(), fsck.toString());
    }

    @Test
    void markInBranchHeadCoversOlderBranches() throws IOException {
        Path image = Images.sampleImages().get(2);
        ok(alice, "branch", "before-mark");
        ok(alice, "set", "--site-local", "batch-a/" + image.getFileName());
        ok(alice, "commit", "-m", "customer image stays here");
        // before-mark names the image without the mark; the mark in batch-a's head still holds.
        JsonNode pushed = ok(alice, "--json", "push", "origin", "before-mark").json();
        assertEquals(1, pushed.path("site_local_blobs_kept").asInt(), pushed.toString());
        assertFalse(onRemote(image), image + " is on the remote");
        assertTrue(onRemote(Images.sampleImages().get(0)), "an unmarked image is on the remote");
    }

    @Test
    void pushRefusesFolderWithOtherData() throws IOException {
        Path other = tmp.resolve("other");
        Files.createDirectories(other);
        Files.writeString(other.resolve("notes.txt"), "not a dsv remote");
        ok(alice, "remote", "add", "other", other.toString());
        CliResult r = Dsv.run(alice, "push", "other");
        assertEquals(3, r.exitCode(), r.toString());
        assertTrue(r.err().contains("notes.txt"), r.err());
        try (Stream<Path> files = Files.list(other)) {
            assertEquals(List.of("notes.txt"), files.map(f -> f.getFileName().toString())
                    .filter(n -> !n.equals("tmp")).toList());
        }
    }

    @Test
    void remoteWithMissingParentRefused() throws IOException {
        Path typo = tmp.resolve("no-such-share").resolve("lib");
        CliResult r = Dsv.run(alice, "remote", "add", "typo", typo.toString());
        assertEquals(3, r.exitCode(), r.toString());
        assertFalse(Files.exists(typo.getParent()), "nothing created");
        Path file = tmp.resolve("a-file");
        Files.writeString(file, "x");
        CliResult onFile = Dsv.run(alice, "remote", "add", "file", file.toString());
        assertEquals(3, onFile.exitCode(), onFile.toString());
        assertTrue(onFile.err().contains("is a file"), onFile.toString());
    }

    /** Returns true when some file of the remote contains the bytes of the image. */
    private boolean onRemote(Path image) throws IOException {
        byte[] bytes = Files.readAllBytes(image);
        List<Path> files;
        try (Stream<Path> walk = Files.walk(remote)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        for (Path f : files) {
            if (contains(Files.readAllBytes(f), bytes)) {
                return true;
            }
        }
        return false;
    }

    static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    @Test
    void corruptObjectOnRemoteIsIntegrityError() throws IOException {
        ok(alice, "push");
        // Flip one byte inside the first image's bytes in the blob pack.
        byte[] image = Files.readAllBytes(Images.sampleImages().get(0));
        Path damaged = null;
        List<Path> packs;
        try (Stream<Path> s = Files.list(remote.resolve("packs"))) {
            packs = s.filter(p -> p.toString().endsWith(".pack")).toList();
        }
        for (Path p : packs) {
            byte[] content = Files.readAllBytes(p);
            int at = indexOf(content, image);
            if (at >= 0) {
                content[at + image.length / 2] ^= 0x55;
                Files.write(p, content);
                damaged = p;
            }
        }
        assertTrue(damaged != null);
        String blob = org.apache.commons.codec.digest.DigestUtils.sha256Hex(image);

        CliResult clone = Dsv.run(tmp, "clone", remote.toString(), "bob");
        assertEquals(7, clone.exitCode(), clone.toString());
        assertTrue(clone.err().contains(blob), clone.toString());
        assertTrue(clone.err().contains(remote.toString()), clone.toString());
        assertFalse(Files.exists(tmp.resolve("bob")), "a failed clone leaves nothing");
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        return indexOf(haystack, needle, 0);
    }

    /** Returns the first index at or after {@code from} where {@code needle} occurs, or -1. */
    static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void remoteAddListRemove() throws IOException {
        JsonNode list = ok(alice, "--json", "remote", "list").json();
        assertEquals("origin", list.path("remotes").get(0).path("name").asText());
        CliResult dup = Dsv.run(alice, "remote", "add", "origin", tmp.resolve("other").toString());
        assertEquals(3, dup.exitCode(), dup.toString());
        CliResult scheme = Dsv.run(alice, "remote", "add", "web", "https://example.invalid/x");
        assertEquals(3, scheme.exitCode(), scheme.toString());
        CliResult badOption = Dsv.run(alice, "remote", "add", "nas", tmp.resolve("nas").toString(), "--option", "colour=blue");
        assertEquals(3, badOption.exitCode(), badOption.toString());
        JsonNode relative = ok(alice, "--json", "remote", "add", "nas", "../nas").json();
        assertEquals(tmp.resolve("nas").toString(), relative.path("url").asText());
        ok(alice, "push");
        ok(alice, "remote", "remove", "origin");
        assertEquals("nas", ok(alice, "--json", "remote", "list").json().path("remotes").get(0).path("name").asText());
        assertEquals(5, Dsv.run(alice, "log", "origin/batch-a").exitCode());
        assertFalse(Files.exists(alice.resolve(".dsv/remotes/origin")));
    }

    /** Returns every file under a folder with the SHA-256 of its content, by relative path. */
    static Map<String, String> files(Path root) {
        Map<String, String> out = new java.util.TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                out.put(root.relativize(p).toString(), org.apache.commons.codec.digest.DigestUtils.sha256Hex(Files.readAllBytes(p)));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    static List<String> lines(String text) {
        return new ArrayList<>(List.of(text.split("\n")));
    }
}
