package dev.dsv.remote;

import static dev.dsv.remote.RemoteFlowTest.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.Images;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pushes that fail half-way: the remote stays valid and a re-run completes without re-sending. */
class RemoteFaultTest {
    @TempDir
    Path tmp;

    Path alice;
    Path remote;

    @BeforeEach
    void setUp() {
        FaultyStorage.reset();
        alice = tmp.resolve("alice");
        remote = tmp.resolve("remote");
        ok(tmp, "init", "alice");
        ok(alice, "switch", "-c", "batch-a");
        ok(alice, "add", Images.SAMPLE.resolve("images").toString(), "--labels",
                Images.SAMPLE.resolve("labels.csv").toString(), "--prefix", "elpv", "--source", "production",
                "--labeler", "lab-01");
        ok(alice, "commit", "-m", "ELPV sample");
        // Small packs (about one image each) and one transfer thread make the failure point exact.
        ok(alice, "remote", "add", "origin", "faulty:" + remote, "--pack-size", "100000", "--transfers", "1");
    }

    @AfterEach
    void tearDown() {
        FaultyStorage.reset();
    }

    /** Checks that the remote is consistent: every index has its pack, and no ref names a missing commit. */
    private void assertRemoteValid() throws IOException {
        try (Stream<Path> s = Files.list(remote.resolve("packs"))) {
            for (Path idx : s.filter(p -> p.toString().endsWith(".idx")).toList()) {
                String pack = idx.getFileName().toString().replace(".idx", ".pack");
                assertTrue(Files.exists(idx.resolveSibling(pack)), "index without pack: " + idx);
            }
        }
        assertFalse(Files.exists(remote.resolve("refs/heads/batch-a@cas")), "the ref moved before the upload finished");
        // A clone of the remote as it is works and has no branch yet.
        ok(tmp, "clone", remote.toString(), "check-" + System.nanoTime());
    }

    private Set<String> packKeys(Set<String> keys) {
        Set<String> out = new HashSet<>();
        for (String k : keys) {
            if (k.startsWith("packs/")) {
                out.add(k);
            }
        }
        return out;
    }

    @Test
    void droppedConnectionThenRerunSendsOnlyTheRest() throws IOException {
        FaultyStorage.failure = FaultyStorage.Failure.CONNECTION_DROPPED;
        FaultyStorage.failAfterWrites = 9;
        CliResult failed = Dsv.run(alice, "push");
        assertEquals(10, failed.exitCode(), failed.toString());
        assertTrue(failed.err().contains("Connection reset by peer"), failed.toString());
        assertTrue(failed.err().contains("run the command again"), failed.toString());
        Set<String> firstRun = packKeys(FaultyStorage.keysWritten);
        long firstBytes = FaultyStorage.bytesWritten.get();
        assertRemoteValid();

        FaultyStorage.reset();
        JsonNode pushed = ok(alice, "--json", "push").json();
        Set<String> secondRun = packKeys(FaultyStorage.keysWritten);
        Set<String> both = new HashSet<>(firstRun);
        both.retainAll(secondRun);
        assertEquals(Set.of(), both, "no pack file or index was sent twice");
        assertEquals(1, pushed.path("packs_reused").asInt(), "the pack whose index was cut off is not sent again");
        assertTrue(firstBytes > 0);
        assertEquals(pushed.path("bytes_sent").asLong(), FaultyStorage.bytesWritten.get()
                - bytesOfNonPackKeys(FaultyStorage.keysWritten));

        long onRemote = 0;
        try (Stream<Path> s = Files.list(remote.resolve("packs"))) {
            for (Path p : s.toList()) {
                onRemote += Files.size(p);
            }
        }
        assertTrue(firstBytes + pushed.path("bytes_sent").asLong() <= onRemote + 4096,
                "bytes sent in both runs add up to what the remote holds: " + firstBytes + " + "
                        + pushed.path("bytes_sent").asLong() + " vs " + onRemote);

        ok(tmp, "clone", remote.toString(), "bob");
        assertTrue(ok(tmp.resolve("bob"), "--json", "fsck").json().path("ok").asBoolean());
    }

    private long bytesOfNonPackKeys(Set<String> keys) throws IOException {
        long total = 0;
        for (String k : keys) {
            if (!k.startsWith("packs/")) {
                Path f = remote.resolve(k);
                if (Files.isRegularFile(f)) {
                    total += Files.size(f);
                } else {
                    // A ref: its newest version contains one commit id and a newline.
                    total += 65;
                }
            }
        }
        return total;
    }

    @Test
    void fullDiskFailsClearlyAndRetryCompletes() throws IOException {
        FaultyStorage.failure = FaultyStorage.Failure.DISK_FULL;
        FaultyStorage.failAfterWrites = 5;
        CliResult failed = Dsv.run(alice, "push");
        assertEquals(10, failed.exitCode(), failed.toString());
        assertTrue(failed.err().contains("No space left on device"), failed.toString());
        assertTrue(failed.err().contains(remote.toString()), failed.toString());
        assertRemoteValid();

        FaultyStorage.reset();
        ok(alice, "push");
        ok(tmp, "clone", remote.toString(), "bob");
        Path bob = tmp.resolve("bob");
        assertEquals(60, ok(bob, "--json", "ls").json().path("count").asInt());
        assertTrue(ok(bob, "--json", "fsck").json().path("ok").asBoolean());
        List<String> tmpLeft;
        try (Stream<Path> s = Files.list(remote.resolve("tmp"))) {
            tmpLeft = s.map(p -> p.getFileName().toString()).toList();
        }
        assertEquals(List.of(), tmpLeft, "failed writes leave no temporary files");
    }
}
