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
import org.apache.commons.codec.digest.DigestUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A clone of the mono images only, from the ELPV sample: what it holds, exports and reports. */
class PartialCloneTest {
    @TempDir
    Path tmp;

    /** Returns the SHA-256 of the sample images of one cell type, from the sample's labels.csv. */
    static Set<String> hashesOf(String cellType) throws IOException {
        Set<String> out = new HashSet<>();
        for (String line : Files.readAllLines(Images.SAMPLE.resolve("labels.csv")).subList(1, 61)) {
            String[] cols = line.split(",");
            if (cols[1].equals(cellType)) {
                out.add(DigestUtils.sha256Hex(Files.readAllBytes(Images.SAMPLE.resolve("images").resolve(cols[0]))));
            }
        }
        return out;
    }

    @Test
    void monoCloneExportsMonoAndHoldsNoPoly() throws IOException {
        Path remote = tmp.resolve("remote");
        pushSample(remote.toString());

        // A filter value the library lacks would select nothing: refused, and no folder is left.
        CliResult unknown = Dsv.run(tmp, "clone", "--filter", "cell-type=nosuch", remote.toString(), "none");
        assertEquals(3, unknown.exitCode(), unknown.toString());
        assertTrue(unknown.err().contains("mono"), unknown.err());
        assertFalse(Files.exists(tmp.resolve("none")));

        // Values match the vocabulary case-insensitively, as elsewhere in dsv.
        JsonNode clone = ok(tmp, "--json", "clone", "--filter", "cell-type=MONO", remote.toString(), "mono").json();
        Path mono = tmp.resolve("mono");
        Set<String> poly = hashesOf("poly");
        Set<String> monoHashes = hashesOf("mono");
        assertEquals(30, poly.size());
        assertEquals(poly.size(), clone.path("fetch").path("absent_recorded").asInt(), clone.toString());

        // No pack of the clone contains the bytes of any poly image.
        List<Path> packs;
        try (Stream<Path> s = Files.walk(mono.resolve(".dsv/objects"))) {
            packs = s.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".pack")).toList();
        }
        for (Path image : Images.sampleImages()) {
            byte[] bytes = Files.readAllBytes(image);
            boolean isPoly = poly.contains(DigestUtils.sha256Hex(bytes));
            boolean found = false;
            for (Path p : packs) {
                found |= RemoteFlowTest.indexOf(Files.readAllBytes(p), bytes) >= 0;
            }
            assertEquals(!isPoly, found, image + (isPoly ? " is poly and must be absent" : " is mono and must be here"));
        }

        // Status and fsck call the poly blobs absent by design, never modified or corrupt.
        JsonNode status = ok(mono, "--json", "status").json();
        assertEquals(0, status.path("changes").size(), status.toString());
        JsonNode fsck = ok(mono, "--json", "fsck").json();
        assertTrue(fsck.path("ok").asBoolean(), fsck.toString());
        assertEquals(0, fsck.path("missing").size());
        assertEquals(0, fsck.path("corrupt").size());
        Set<String> absent = new HashSet<>();
        fsck.path("absent_by_design").forEach(f -> absent.add(f.path("id").asText()));
        assertEquals(poly, absent);

        // The mono subset exports from what the clone holds.
        JsonNode exported = ok(mono, "--json", "export", "elpv", "--cell-type", "mono", "--out",
                tmp.resolve("mono-export").toString()).json();
        assertEquals(30, exported.path("images").asInt());
        Set<String> exportedHashes = new HashSet<>();
        try (Stream<Path> s = Files.walk(tmp.resolve("mono-export").resolve("elpv"))) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                exportedHashes.add(DigestUtils.sha256Hex(Files.readAllBytes(p)));
            }
        }
        assertEquals(monoHashes, exportedHashes);

        // Offline, an export of poly images names what is missing and writes nothing.
        Files.move(remote, tmp.resolve("remote-away"));
        CliResult offline = Dsv.run(mono, "export", "elpv", "--cell-type", "poly", "--out", tmp.resolve("poly-export").toString());
        assertEquals(7, offline.exitCode(), offline.toString());
        assertTrue(offline.err().contains("elpv/"), offline.toString());
        assertTrue(offline.err().contains("30 selected images"), offline.toString());
        assertFalse(Files.exists(tmp.resolve("poly-export")));

        // Online again, the export fetches them on demand.
        Files.move(tmp.resolve("remote-away"), remote);
        JsonNode polyExport = ok(mono, "--json", "export", "elpv", "--cell-type", "poly", "--out",
                tmp.resolve("poly-export").toString()).json();
        assertEquals(30, polyExport.path("images").asInt());
        assertEquals(0, ok(mono, "--json", "fsck").json().path("absent_by_design").size());
    }

    /** Commits the ELPV sample in a new library, branch elpv, and pushes it to the remote at {@code url}. */
    private void pushSample(String url) {
        Path alice = tmp.resolve("alice");
        ok(tmp, "init", "alice");
        ok(alice, "switch", "-c", "elpv");
        ok(alice, "add", Images.SAMPLE.resolve("images").toString(), "--labels",
                Images.SAMPLE.resolve("labels.csv").toString(), "--prefix", "elpv", "--source", "production",
                "--labeler", "lab-01");
        ok(alice, "commit", "-m", "ELPV sample");
        ok(alice, "remote", "add", "origin", url);
        ok(alice, "push");
    }

    /** Pushes the ELPV sample to {@code faulty:REMOTE}, which counts and cuts ranged reads, and returns REMOTE. */
    private Path pushSampleToFaultyRemote() {
        Path remote = tmp.resolve("remote");
        pushSample("faulty:" + remote);
        return remote;
    }

    @Test
    void readsAcrossPolyGapsStoreOnlyMono() throws IOException {
        Path remote = pushSampleToFaultyRemote();
        Set<String> poly = hashesOf("poly");
        Set<String> monoHashes = hashesOf("mono");

        FaultyStorage.reset();
        try {
            JsonNode clone = ok(tmp, "--json", "clone", "--filter", "cell-type=mono", "faulty:" + remote, "mono")
                    .json();
            Path mono = tmp.resolve("mono");
            long fetched = clone.path("fetch").path("bytes_fetched").asLong();
            int reads = FaultyStorage.rangedReads.get();
            long read = FaultyStorage.rangedBytes.get();
            // The 30 mono blobs lie between poly ones in one pack: fewer reads than blobs, and the
            // reads pass over poly records, at most the wanted bytes again plus the allowance per read.
            assertTrue(reads < monoHashes.size(), reads + " ranged reads");
            assertTrue(read > fetched, read + " bytes read, " + fetched + " fetched");
            assertTrue(read <= 2 * fetched + reads * ReadPlanner.MIN_SKIP_ALLOWANCE,
                    read + " bytes read, " + fetched + " fetched");

            assertMonoStoredOnce(mono, poly);
            JsonNode fsck = ok(mono, "--json", "fsck").json();
            assertTrue(fsck.path("ok").asBoolean(), fsck.toString());
            assertEquals(0, fsck.path("missing").size(), fsck.toString());
            assertEquals(0, fsck.path("corrupt").size(), fsck.toString());
            Set<String> absent = new HashSet<>();
            fsck.path("absent_by_design").forEach(f -> absent.add(f.path("id").asText()));
            assertEquals(poly, absent);

            // An export of the poly images fetches them on demand through the same reads, passing
            // over the mono records the clone already holds without storing them again.
            FaultyStorage.reset();
            JsonNode exported = ok(mono, "--json", "export", "elpv", "--cell-type", "poly", "--out",
                    tmp.resolve("poly-export").toString()).json();
            assertEquals(30, exported.path("images").asInt());
            assertTrue(FaultyStorage.rangedReads.get() < poly.size(), FaultyStorage.rangedReads + " ranged reads");
            for (Path image : Images.sampleImages()) {
                assertEquals(1, copiesInPacks(mono, Files.readAllBytes(image)), image.toString());
            }
            JsonNode after = ok(mono, "--json", "fsck").json();
            assertTrue(after.path("ok").asBoolean(), after.toString());
            assertEquals(0, after.path("absent_by_design").size(), after.toString());
        } finally {
            FaultyStorage.reset();
        }
    }

    @Test
    void cutReadResumesAtTheRecordItStopped() throws IOException {
        Path remote = pushSampleToFaultyRemote();
        Set<String> poly = hashesOf("poly");

        FaultyStorage.reset();
        try {
            // Sample images are 20 to 35 KB, so a read cut after 100 000 bytes has stored some.
            FaultyStorage.cutRangedReads(100_000, 2);
            JsonNode clone = ok(tmp, "--json", "clone", "--filter", "cell-type=mono", "faulty:" + remote, "mono")
                    .json();
            Path mono = tmp.resolve("mono");
            assertEquals(2, FaultyStorage.rangedCuts.get());
            assertEquals(2, clone.path("fetch").path("retries").asInt(), clone.toString());
            assertMonoStoredOnce(mono, poly);
            JsonNode fsck = ok(mono, "--json", "fsck").json();
            assertTrue(fsck.path("ok").asBoolean(), fsck.toString());
            assertEquals(poly.size(), fsck.path("absent_by_design").size(), fsck.toString());

            // With one transfer thread, each long read is cut every 60 000 bytes until what is left
            // is shorter. Every stream stores a record or two (the largest image is 34 402 bytes),
            // so the reads go on however often they break.
            FaultyStorage.reset();
            FaultyStorage.cutRangedReads(60_000, 1_000);
            JsonNode steady = ok(tmp, "--json", "clone", "--transfers", "1", "--filter", "cell-type=mono",
                    "faulty:" + remote, "mono-steady").json();
            int cuts = FaultyStorage.rangedCuts.get();
            assertTrue(cuts > RetryingStorage.ATTEMPTS, cuts + " cuts");
            assertEquals(cuts, steady.path("fetch").path("retries").asInt(), steady.toString());
            JsonNode steadyFsck = ok(tmp.resolve("mono-steady"), "--json", "fsck").json();
            assertTrue(steadyFsck.path("ok").asBoolean(), steadyFsck.toString());
            assertEquals(poly.size(), steadyFsck.path("absent_by_design").size(), steadyFsck.toString());

            // Cut before the first record ends, every attempt fails: exit 10 naming the remote, and
            // the failed clone leaves nothing behind.
            FaultyStorage.reset();
            FaultyStorage.cutRangedReads(10_000, 1_000);
            CliResult failed = Dsv.run(tmp, "clone", "--filter", "cell-type=mono", "faulty:" + remote, "mono-2");
            assertEquals(10, failed.exitCode(), failed.toString());
            assertTrue(failed.err().contains(remote.toString()), failed.err());
            assertTrue(FaultyStorage.rangedCuts.get() >= RetryingStorage.ATTEMPTS, FaultyStorage.rangedCuts + " cuts");
            assertFalse(Files.exists(tmp.resolve("mono-2")));
        } finally {
            FaultyStorage.reset();
        }
    }

    /** Checks that the local packs of {@code clone} hold each mono sample image once and no poly one. */
    private static void assertMonoStoredOnce(Path clone, Set<String> poly) throws IOException {
        for (Path image : Images.sampleImages()) {
            byte[] bytes = Files.readAllBytes(image);
            boolean isPoly = poly.contains(DigestUtils.sha256Hex(bytes));
            assertEquals(isPoly ? 0 : 1, copiesInPacks(clone, bytes), image + (isPoly ? " is poly" : " is mono"));
        }
    }

    /** Returns how many times {@code bytes} occur in the local packs of a repository. */
    private static int copiesInPacks(Path repository, byte[] bytes) throws IOException {
        List<Path> packs;
        try (Stream<Path> s = Files.walk(repository.resolve(".dsv/objects"))) {
            packs = s.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".pack")).toList();
        }
        int copies = 0;
        for (Path p : packs) {
            byte[] pack = Files.readAllBytes(p);
            for (int from = 0; ; ) {
                int at = RemoteFlowTest.indexOf(pack, bytes, from);
                if (at < 0) {
                    break;
                }
                copies++;
                from = at + 1;
            }
        }
        return copies;
    }

    @Test
    void noBlobsCloneHasLabelsButNoImages() throws IOException {
        Path remote = tmp.resolve("remote");
        pushSample(remote.toString());
        ok(tmp, "clone", "--no-blobs", remote.toString(), "labels-only");
        Path clone = tmp.resolve("labels-only");
        JsonNode ls = ok(clone, "--json", "ls", "--summary").json();
        assertTrue(ls.toString().contains("poly"), ls.toString());
        JsonNode fsck = ok(clone, "--json", "fsck").json();
        assertEquals(60, fsck.path("absent_by_design").size());
    }
}
