package dev.dsv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.model.MetaRecord;
import dev.dsv.model.ObjectId;
import dev.dsv.model.Times;
import dev.dsv.repo.Repository;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.Images;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.codec.digest.DigestUtils;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fsck reports missing, corrupt and absent-by-design objects apart, and names each one. */
class FsckTest {
    @TempDir
    Path tmp;

    Path library;
    String blobHex;

    @BeforeEach
    void setUp() throws IOException {
        library = tmp.resolve("lib");
        assertEquals(0, Dsv.run(tmp, "init", "lib").exitCode());
        assertEquals(0, Dsv.run(tmp.resolve("lib"), "switch", "-c", "work").exitCode());
        Images.copySample(tmp.resolve("batch"), 3);
        assertEquals(0, Dsv.run(library, "add", "../batch", "--cell-type", "mono", "--source", "production",
                "--labeler", "lab-01").exitCode());
        assertEquals(0, Dsv.run(library, "commit", "-m", "batch").exitCode());
        blobHex = DigestUtils.sha256Hex(Files.readAllBytes(tmp.resolve("batch/cell0002.png")));
    }

    private JsonNode fsck(int expectedExit) {
        CliResult r = Dsv.run(library, "--json", "fsck");
        assertEquals(expectedExit, r.exitCode(), r.toString());
        return r.json();
    }

    /** Returns the pack file that contains the blob of batch/cell0002.png. */
    private Path blobPack() throws IOException {
        byte[] id = ObjectId.parse(blobHex).toBytes();
        try (Stream<Path> files = Files.list(library.resolve(".dsv/objects/pack"))) {
            for (Path p : files.filter(f -> f.toString().endsWith(".pack")).toList()) {
                if (indexOf(p, id) >= 0) {
                    return p;
                }
            }
        }
        throw new AssertionError("no pack holds " + blobHex);
    }

    private static boolean listsId(JsonNode findings, String hex) {
        for (JsonNode f : findings) {
            if (f.path("id").asText().equals(hex)) {
                return true;
            }
        }
        return false;
    }

    /** Returns the offset of the first occurrence of {@code needle} in {@code file}. */
    private static long indexOf(Path file, byte[] needle) throws IOException {
        byte[] hay = Files.readAllBytes(file);
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void cleanRepository() {
        JsonNode r = fsck(0);
        assertTrue(r.path("ok").asBoolean());
        assertEquals(3, r.path("checked").path("blob").asInt());
        assertEquals(3, r.path("checked").path("label").asInt());
        assertEquals(1, r.path("checked").path("commit").asInt());
    }

    @Test
    void flippedByteInBlob() throws IOException {
        Path pack = blobPack();
        long header = indexOf(pack, ObjectId.parse(blobHex).toBytes());
        assertTrue(header > 0, "blob record not found");
        try (RandomAccessFile f = new RandomAccessFile(pack.toFile(), "rw")) {
            long at = header + 50 + 100;
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x01);
        }
        JsonNode r = fsck(1);
        assertFalse(r.path("ok").asBoolean());
        assertEquals(1, r.path("corrupt").size(), r.toString());
        JsonNode finding = r.path("corrupt").get(0);
        assertEquals(blobHex, finding.path("id").asText());
        assertTrue(finding.path("referenced_from").asText().contains("batch/cell0002.png"), finding.toString());
        assertEquals(0, r.path("missing").size());

        CliResult text = Dsv.run(library, "fsck");
        assertTrue(text.out().contains("corrupt blob " + blobHex), text.toString());
    }

    @Test
    void deletedPackMeansMissing() throws IOException {
        Path pack = blobPack();
        Files.delete(pack);
        Files.delete(Path.of(pack.toString().replace(".pack", ".idx")));
        JsonNode r = fsck(1);
        assertTrue(listsId(r.path("missing"), blobHex), r.toString());
        assertEquals(0, r.path("corrupt").size());
        assertEquals("blob", r.path("missing").get(0).path("type").asText());
    }

    @Test
    void damagedIndexIsNamed() throws IOException {
        Path idx = Path.of(blobPack().toString().replace(".pack", ".idx"));
        try (RandomAccessFile f = new RandomAccessFile(idx.toFile(), "rw")) {
            f.seek(8 + 4 + 256 * 4 + 10);
            int b = f.read();
            f.seek(8 + 4 + 256 * 4 + 10);
            f.write(b ^ 0x55);
        }
        JsonNode r = fsck(1);
        assertTrue(r.path("damaged_packs").has(idx.toString()), r.toString());
        assertTrue(listsId(r.path("missing"), blobHex), r.toString());
    }

    @Test
    void absentByDesignIsNotFailure() throws IOException {
        try (Repository repo = Repository.open(library)) {
            repo.store().markAbsent(ObjectId.parse(blobHex), "site-local");
        }
        JsonNode clean = fsck(0);
        assertEquals(0, clean.path("absent_by_design").size(), "a present object is not absent");

        try (Repository repo = Repository.open(library)) {
            ObjectId fake = ObjectId.fromBytes(DigestUtils.sha256("never stored"));
            repo.store().markAbsent(fake, "partial-clone");
        }
        Path pack = blobPack();
        assertTrue(pack.toFile().delete());
        assertTrue(Path.of(pack.toString().replace(".pack", ".idx")).toFile().delete());
        CliResult run = Dsv.run(library, "--json", "fsck");
        JsonNode r = run.json();
        assertEquals(r.path("missing").isEmpty() ? 0 : 1, run.exitCode(), run.toString());
        assertEquals(1, r.path("absent_by_design").size(), r.toString());
        assertEquals(blobHex, r.path("absent_by_design").get(0).path("id").asText());
        assertEquals("site-local", r.path("absent_by_design").get(0).path("detail").asText());
        assertFalse(listsId(r.path("missing"), blobHex), r.toString());
    }

    @Test
    void metadataLogIsCheckedAndIndexed() {
        ObjectId id;
        try (Repository repo = Repository.open(library)) {
            MetaRecord record = new MetaRecord("verification", repo.headCommit(), "verifier-01", Times.now(),
                    Map.of("decision", "pass"));
            id = repo.metadataLog().append(record);
            assertEquals(id, repo.metadataLog().append(record), "the same record is one entry");
            assertEquals(1, repo.metadataLog().ids().size());
            assertEquals("pass", repo.metadataLog().read(id).body().get("decision"));
        }
        JsonNode r = fsck(0);
        assertEquals(1, r.path("checked").path("meta").asInt());
        JsonNode re = Dsv.run(library, "--json", "reindex").json();
        assertEquals(1, re.path("meta_records").asInt());
    }
}
