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
        Path alice = tmp.resolve("alice");
        Path remote = tmp.resolve("remote");
        ok(tmp, "init", "alice");
        ok(alice, "switch", "-c", "elpv");
        ok(alice, "add", Images.SAMPLE.resolve("images").toString(), "--labels",
                Images.SAMPLE.resolve("labels.csv").toString(), "--prefix", "elpv", "--source", "production",
                "--labeler", "lab-01");
        ok(alice, "commit", "-m", "ELPV sample");
        ok(alice, "remote", "add", "origin", remote.toString());
        ok(alice, "push");

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

    @Test
    void noBlobsCloneHasLabelsButNoImages() throws IOException {
        Path alice = tmp.resolve("alice");
        Path remote = tmp.resolve("remote");
        ok(tmp, "init", "alice");
        ok(alice, "switch", "-c", "elpv");
        ok(alice, "add", Images.SAMPLE.resolve("images").toString(), "--labels",
                Images.SAMPLE.resolve("labels.csv").toString(), "--prefix", "elpv", "--source", "production",
                "--labeler", "lab-01");
        ok(alice, "commit", "-m", "ELPV sample");
        ok(alice, "remote", "add", "origin", remote.toString());
        ok(alice, "push");
        ok(tmp, "clone", "--no-blobs", remote.toString(), "labels-only");
        Path clone = tmp.resolve("labels-only");
        JsonNode ls = ok(clone, "--json", "ls", "--summary").json();
        assertTrue(ls.toString().contains("poly"), ls.toString());
        JsonNode fsck = ok(clone, "--json", "fsck").json();
        assertEquals(60, fsck.path("absent_by_design").size());
    }
}
