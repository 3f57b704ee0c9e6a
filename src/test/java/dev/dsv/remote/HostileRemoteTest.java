package dev.dsv.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dsv.model.CanonicalJson;
import dev.dsv.model.Commit;
import dev.dsv.model.ObjectId;
import dev.dsv.model.ObjectType;
import dev.dsv.repo.Repository;
import dev.dsv.store.ObjectStore;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.RepoSnapshot;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.commons.codec.digest.DigestUtils;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A directory remote that lies: objects whose bytes do not match their names, refs to commits that
 * are not there, a commit without its tree, and refs or indexes that are huge or never end (a pipe,
 * a device). Each fetch, pull or clone fails with the integrity exit code, names the remote, and
 * leaves the local repository exactly as it was. The S3 variants are in
 * {@code dev.dsv.remote.s3.S3HostileRemoteTest}; blob corruption met by a clone is in
 * {@link RemoteFlowTest}.
 */
@Timeout(300)
class HostileRemoteTest {
    @TempDir
    Path tmp;

    Path alice;
    Path bob;
    Path remote;
    /** The remote's files that alice's second push wrote. */
    List<Path> secondPush;

    @BeforeEach
    void setUp() throws IOException {
        remote = tmp.resolve("remote");
        alice = RemoteFlowTest.aliceWithBatch(tmp, remote.toString());
        RemoteFlowTest.ok(alice, "push");
        RemoteFlowTest.ok(tmp, "clone", remote.toString(), "bob");
        bob = tmp.resolve("bob");
        Set<Path> before = files(remote);
        RemoteFlowTest.addBatch(tmp, alice, "batch-b", 2, 4);
        RemoteFlowTest.ok(alice, "commit", "-m", "batch b");
        RemoteFlowTest.ok(alice, "push");
        secondPush = files(remote).stream().filter(p -> !before.contains(p)).sorted().toList();
    }

    private static Set<Path> files(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).collect(Collectors.toSet());
        }
    }

    /** The second push's packs (or indexes), smallest first: labels and trees, then images. */
    private List<Path> newPackFiles(String suffix) {
        return secondPush.stream().filter(p -> p.toString().endsWith(suffix))
                .sorted(Comparator.comparingLong(p -> p.toFile().length())).toList();
    }

    /** The file that holds the current version of the remote's ref of branch work. */
    private Path workRef() throws IOException {
        try (Stream<Path> s = Files.list(remote.resolve("refs/heads/work@cas"))) {
            return s.max(Comparator.comparing(Path::toString)).orElseThrow();
        }
    }

    /** Runs fetch, pull and a new clone against the hostile remote; each must fail as an integrity error. */
    private void rejectedEverywhere(String... expectedInMessage) {
        for (String[] command : List.of(new String[] {"fetch"}, new String[] {"pull"})) {
            Map<String, String> before = RepoSnapshot.of(bob);
            CliResult r = Dsv.run(bob, command);
            assertEquals(7, r.exitCode(), String.join(" ", command) + "\n" + r);
            assertTrue(r.err().contains(remote.toString()), "names the remote\n" + r);
            for (String part : expectedInMessage) {
                assertTrue(r.err().contains(part), "expected '" + part + "' in\n" + r);
            }
            assertFalse(r.err().contains("\tat "), r.toString());
            assertEquals(before, RepoSnapshot.of(bob), "nothing from the remote entered the clone");
        }
        CliResult clone = Dsv.run(tmp, "clone", remote.toString(), "carol");
        assertEquals(7, clone.exitCode(), clone.toString());
        assertFalse(Files.exists(tmp.resolve("carol")), "a failed clone leaves nothing");
    }

    /** Flips one byte in the middle of the first record's stored data of {@code pack}. */
    private static void flipInFirstRecord(Path pack) throws IOException {
        byte[] bytes = Files.readAllBytes(pack);
        int header = 8;
        long stored = java.nio.ByteBuffer.wrap(bytes, header + 42, 8).getLong();
        int at = header + 50 + (int) (stored / 2);
        bytes[at] ^= 0x20;
        Files.write(pack, bytes);
    }

    @Test
    void labelObjectWhoseBytesDoNotMatchItsName() throws IOException {
        flipInFirstRecord(newPackFiles(".pack").get(0));
        rejectedEverywhere();
    }

    @Test
    void imageWhoseBytesDoNotMatchItsName() throws IOException {
        List<Path> packs = newPackFiles(".pack");
        flipInFirstRecord(packs.get(packs.size() - 1));
        rejectedEverywhere();
    }

    @Test
    void refToMissingCommit() throws IOException {
        String missing = DigestUtils.sha256Hex("no such commit");
        Files.writeString(workRef(), missing + "\n");
        rejectedEverywhere(missing.substring(0, 12));
    }

    @Test
    void refWithControlCharactersIsQuotedHarmlessly() throws IOException {
        Files.writeString(workRef(), "\u001b[2J\u001b[1;1Hfetched 0 objects, all good\n" + "x".repeat(5000));
        Map<String, String> before = RepoSnapshot.of(bob);
        CliResult r = Dsv.run(bob, "fetch");
        assertEquals(7, r.exitCode(), r.toString());
        assertFalse(r.err().contains("\u001b"), "no escape sequence reaches the terminal\n" + r);
        assertTrue(r.err().length() < 2000, "the ref is not copied whole into the message\n" + r);
        assertEquals(before, RepoSnapshot.of(bob));
    }

    @Test
    void commitWhoseTreeIsAbsent() throws IOException {
        String head = RemoteFlowTest.head(alice, "work");
        byte[] forged;
        try (Repository repo = Repository.open(alice)) {
            Commit c = Commit.fromJson(CanonicalJson.parse(repo.store().read(ObjectId.parse(head), ObjectType.COMMIT)));
            ObjectId noTree = ObjectId.parse(DigestUtils.sha256Hex("no such tree"));
            forged = new Commit(noTree, List.of(ObjectId.parse(head)), c.committer(), c.time(), "forged", c.touches(),
                    c.sources()).encode();
        }
        // A well-formed pack that holds only the forged commit, made by dsv's own store.
        Path scratch = tmp.resolve("scratch");
        RemoteFlowTest.ok(tmp, "init", "scratch");
        ObjectId forgedId;
        Set<Path> scratchPacksBefore = files(scratch.resolve(".dsv/objects"));
        try (Repository repo = Repository.open(scratch); ObjectStore.Inserter inserter = repo.store().newInserter()) {
            forgedId = inserter.insert(ObjectType.COMMIT, forged);
            inserter.flush();
        }
        for (Path p : files(scratch.resolve(".dsv/objects"))) {
            if (!scratchPacksBefore.contains(p) && p.getFileName().toString().startsWith("pack-")) {
                Files.copy(p, remote.resolve("packs").resolve(p.getFileName()));
            }
        }
        DirectoryStorage storage = new DirectoryStorage(remote, remote.toString());
        RemoteStorage.Versioned ref = storage.getVersioned("refs/heads/work");
        assertNotNull(storage.compareAndSwap("refs/heads/work", ref.version(),
                (forgedId.hex() + "\n").getBytes(StandardCharsets.UTF_8)));
        rejectedEverywhere("lacks objects");
    }

    @Test
    void refThatIsAPipeDoesNotHang() throws Exception {
        Path ref = workRef();
        Files.delete(ref);
        Process mkfifo = new ProcessBuilder("mkfifo", ref.toString()).inheritIO().start();
        assertEquals(0, mkfifo.waitFor());
        rejectedEverywhere("not a regular file");
    }

    @Test
    void refThatIsAnEndlessDevice() throws IOException {
        Path ref = workRef();
        Files.delete(ref);
        Files.createSymbolicLink(ref, Path.of("/dev/zero"));
        rejectedEverywhere("not a regular file");
    }

    @Test
    void hugeRef() throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(workRef().toFile(), "rw")) {
            f.setLength(RemoteStorage.SMALL_KEY_LIMIT + 1);
        }
        rejectedEverywhere("larger than");
    }

    @Test
    void packIndexLargerThanItsPackCanNeed() throws IOException {
        Path idx = newPackFiles(".idx").get(0);
        try (RandomAccessFile f = new RandomAccessFile(idx.toFile(), "rw")) {
            f.setLength(1L << 30);
        }
        rejectedEverywhere("larger than");
    }

    @Test
    void packThatIsAPipeDoesNotHang() throws Exception {
        Path pack = newPackFiles(".pack").get(0);
        Files.delete(pack);
        Process mkfifo = new ProcessBuilder("mkfifo", pack.toString()).inheritIO().start();
        assertEquals(0, mkfifo.waitFor());
        // The listing skips what is not a file, so the pack is missing, not read.
        rejectedEverywhere("no pack on the remote holds");
    }
}
