package dev.dsv.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.Images;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.apache.commons.codec.digest.DigestUtils;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Feature vectors through a directory remote. Push sends them with the label records, also for
 * site-local images whose blobs stay behind, and clones and partial clones receive them.
 */
class FeatureVectorsRemoteTest {
    private static final int TYPE_LABEL = 2;
    private static final int TYPE_VECTOR = 5;

    @TempDir
    Path tmp;

    Path alice;
    Path remote;
    List<Path> images;
    List<String> siteLocal;

    @BeforeEach
    void setUp() throws IOException {
        alice = tmp.resolve("alice");
        remote = tmp.resolve("remote");
        ok(tmp, "init", "alice");
        ok(alice, "switch", "-c", "batch-a");
        images = Images.copySample(tmp.resolve("batch-a"), 6);
        ok(alice, "add", "../batch-a", "--cell-type", "mono", "--source", "production", "--labeler", "lab-01");
        ok(alice, "commit", "-m", "batch a");

        StringBuilder csv = new StringBuilder("dataset_path,f0,f1,f2,f3\n");
        for (int i = 0; i < images.size(); i++) {
            csv.append("batch-a/").append(images.get(i).getFileName()).append(',')
                    .append(i).append(",0.25,-1.5,").append(i * 0.125).append('\n');
        }
        Path file = Files.writeString(tmp.resolve("clip.csv"), csv.toString());
        ok(alice, "features", "import", file.toString(), "--name", "clip");
        siteLocal = List.of("batch-a/" + images.get(1).getFileName(), "batch-a/" + images.get(4).getFileName());
        ok(alice, "set", "--site-local", siteLocal.get(0), siteLocal.get(1));
        ok(alice, "commit", "-m", "vectors; customer images stay here");
        ok(alice, "remote", "add", "origin", remote.toString());
    }

    static CliResult ok(Path dir, String... args) {
        CliResult r = Dsv.run(dir, args);
        assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r);
        return r;
    }

    private static JsonNode image(Path library, String path) {
        return ok(library, "--json", "show", "HEAD:" + path).json();
    }

    /** One object of a remote pack: its type code and its uncompressed bytes. */
    private record StoredObject(int type, byte[] content) {
    }

    /**
     * Reads every record of every pack under the remote's {@code packs/} (pack format: magic,
     * then per record id 32, type 1, encoding 1, uncompressed length 8, stored length 8, bytes).
     */
    private Map<String, StoredObject> remoteObjects() throws IOException, DataFormatException {
        Map<String, StoredObject> out = new HashMap<>();
        List<Path> packs;
        try (Stream<Path> files = Files.list(remote.resolve("packs"))) {
            packs = files.filter(p -> p.toString().endsWith(".pack")).toList();
        }
        for (Path pack : packs) {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(pack));
            b.position(8);
            while (b.hasRemaining()) {
                byte[] id = new byte[32];
                b.get(id);
                int type = b.get() & 0xff;
                int encoding = b.get() & 0xff;
                long uncompressed = b.getLong();
                byte[] stored = new byte[(int) b.getLong()];
                b.get(stored);
                byte[] content = stored;
                if (encoding == 1) {
                    Inflater inflater = new Inflater();
                    inflater.setInput(stored);
                    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                    byte[] chunk = new byte[8192];
                    while (!inflater.finished()) {
                        bytes.write(chunk, 0, inflater.inflate(chunk));
                    }
                    inflater.end();
                    content = bytes.toByteArray();
                }
                assertEquals(uncompressed, content.length, "record length in " + pack);
                out.put(HexFormat.of().formatHex(id), new StoredObject(type, content));
            }
        }
        return out;
    }

    @Test
    void pushSendsVectorsButNoSiteLocalBytes() throws Exception {
        JsonNode pushed = ok(alice, "--json", "push").json();
        assertEquals(2, pushed.path("site_local_blobs_kept").asInt(), pushed.toString());

        Map<String, StoredObject> objects = remoteObjects();
        for (Path file : images) {
            String path = "batch-a/" + file.getFileName();
            JsonNode shown = image(alice, path);
            String vector = shown.path("image").path("features").path("clip").asText();
            StoredObject storedVector = objects.get(vector);
            assertNotNull(storedVector, "vector of " + path + " is on the remote");
            assertEquals(TYPE_VECTOR, storedVector.type());
            StoredObject storedLabel = objects.get(shown.path("label").path("id").asText());
            assertNotNull(storedLabel, "label record of " + path + " is on the remote");
            assertEquals(TYPE_LABEL, storedLabel.type());
        }

        // No object, under any key and after inflating, contains a site-local image or has its id.
        for (String path : siteLocal) {
            byte[] secret = Files.readAllBytes(tmp.resolve(path));
            String blob = DigestUtils.sha256Hex(secret);
            assertFalse(objects.containsKey(blob), path + " is stored on the remote");
            objects.forEach((id, object) -> assertFalse(RemoteFlowTest.contains(object.content(), secret),
                    path + " bytes found in object " + id));
            try (Stream<Path> walk = Files.walk(remote)) {
                for (Path f : walk.filter(Files::isRegularFile).toList()) {
                    assertFalse(RemoteFlowTest.contains(Files.readAllBytes(f), secret), path + " bytes found in " + f);
                }
            }
        }
        String shared = DigestUtils.sha256Hex(Files.readAllBytes(images.get(0)));
        assertTrue(objects.containsKey(shared), "an ordinary image is on the remote, so the search itself works");
    }

    @Test
    void clonesReceiveVectors() {
        ok(alice, "push");
        ok(tmp, "clone", remote.toString(), "bob");
        Path bob = tmp.resolve("bob");
        for (Path file : images) {
            String path = "batch-a/" + file.getFileName();
            assertEquals(image(alice, path).path("image").path("features"), image(bob, path).path("image").path("features"));
        }
        assertTrue(ok(bob, "show", "HEAD:" + siteLocal.get(0)).out().contains("clip (4 dimensions)"));
        JsonNode fsck = ok(bob, "--json", "fsck").json();
        assertTrue(fsck.path("ok").asBoolean(), fsck.toString());
        assertEquals(6, fsck.path("checked").path("vector").asInt(), fsck.toString());
        assertEquals(2, fsck.path("absent_by_design").size(), fsck.toString());

        ok(tmp, "clone", "--no-blobs", remote.toString(), "carol");
        Path carol = tmp.resolve("carol");
        JsonNode partial = ok(carol, "--json", "fsck").json();
        assertTrue(partial.path("ok").asBoolean(), partial.toString());
        assertEquals(6, partial.path("checked").path("vector").asInt(), partial.toString());
        List<String> absentTypes = new ArrayList<>();
        partial.path("absent_by_design").forEach(f -> absentTypes.add(f.path("type").asText()));
        assertEquals(List.of("blob", "blob", "blob", "blob", "blob", "blob"), absentTypes, partial.toString());
        assertEquals(image(alice, siteLocal.get(1)).path("image").path("features"),
                image(carol, siteLocal.get(1)).path("image").path("features"));
    }

    @Test
    void formatTwoCloneMustMigrateBeforeFetch() throws IOException {
        ok(alice, "push");
        ok(tmp, "init", "dave");
        Path dave = tmp.resolve("dave");
        Files.writeString(dave.resolve(".dsv/format"), "dsv-repository 2\n");
        ok(dave, "remote", "add", "origin", remote.toString());
        CliResult refused = Dsv.run(dave, "fetch");
        assertEquals(3, refused.exitCode(), refused.toString());
        assertTrue(refused.err().contains("dsv migrate"), refused.toString());
        assertFalse(Files.exists(dave.resolve(".dsv/refs/remotes/origin/batch-a")), "no remote ref moved");

        ok(dave, "migrate");
        ok(dave, "fetch");
        JsonNode fetched = ok(dave, "--json", "show", "origin/batch-a:" + siteLocal.get(0)).json();
        assertEquals(image(alice, siteLocal.get(0)).path("image").path("features"), fetched.path("image").path("features"));
    }
}
