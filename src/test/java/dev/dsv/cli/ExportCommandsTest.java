package dev.dsv.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.model.ObjectId;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.Images;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.commons.codec.digest.DigestUtils;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Export, export verification, verify and gc on the bundled sample. */
class ExportCommandsTest {
    @TempDir
    Path tmp;

    Path library;

    @BeforeEach
    void setUp() {
        library = tmp.resolve("lib");
        assertEquals(0, Dsv.run(tmp, "init", "lib").exitCode());
        assertEquals(0, Dsv.run(tmp.resolve("lib"), "switch", "-c", "work").exitCode());
        CliResult add = Dsv.run(library, "add", Images.SAMPLE.resolve("images").toString(), "--labels",
                Images.SAMPLE.resolve("labels.csv").toString(), "--source", "production", "--labeler", "elpv-experts",
                "--labeled-at", "2018-03-07T00:00:00+01:00");
        assertEquals(0, add.exitCode(), add.toString());
        assertEquals(0, Dsv.run(library, "commit", "-m", "sample").exitCode());
    }

    private CliResult ok(String... args) {
        CliResult r = Dsv.run(library, args);
        assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r);
        return r;
    }

    private static int countFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return (int) s.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void sameCommitSameBytes() throws IOException {
        ok("export", "--out", tmp.resolve("a").toString(), "--cell-type", "poly", "--manifest", "jsonl");
        ok("export", "--out", tmp.resolve("b").toString(), "--cell-type", "poly", "--manifest", "jsonl");
        assertArrayEquals(Files.readAllBytes(tmp.resolve("a/manifest.jsonl")), Files.readAllBytes(tmp.resolve("b/manifest.jsonl")));
        assertArrayEquals(Files.readAllBytes(tmp.resolve("a/dsv-export.json")), Files.readAllBytes(tmp.resolve("b/dsv-export.json")));
        assertEquals(30 + 2, countFiles(tmp.resolve("a")));
        Path file = tmp.resolve("a/images/cell0100.png");
        if (Files.exists(file)) {
            String sha = DigestUtils.sha256Hex(Files.readAllBytes(file));
            assertEquals(sha, DigestUtils.sha256Hex(Files.readAllBytes(Images.SAMPLE.resolve("images/cell0100.png"))));
        }
        for (String line : Files.readAllLines(tmp.resolve("a/manifest.jsonl"))) {
            JsonNode row = new CliResult(0, line, "").json();
            Path exported = tmp.resolve("a").resolve(row.path("dataset_path").asText());
            assertEquals(row.path("sha256").asText(), DigestUtils.sha256Hex(Files.readAllBytes(exported)));
            assertEquals("poly", row.path("cell_type").asText());
        }
    }

    @Test
    void nonEmptyTargetRefused() throws IOException {
        Path target = Files.createDirectories(tmp.resolve("busy"));
        Files.writeString(target.resolve("keep.txt"), "mine");
        CliResult r = Dsv.run(library, "export", "--out", target.toString());
        assertEquals(3, r.exitCode(), r.toString());
        assertTrue(r.err().contains("--sync"), r.toString());
        assertEquals("mine", Files.readString(target.resolve("keep.txt")));
        assertEquals(1, countFiles(target));
    }

    @Test
    void corruptObjectFailsWholeExport() throws IOException {
        String sha = DigestUtils.sha256Hex(Files.readAllBytes(Images.SAMPLE.resolve("images/cell0002.png")));
        byte[] id = ObjectId.parse(sha).toBytes();
        try (Stream<Path> packs = Files.list(library.resolve(".dsv/objects/pack"))) {
            for (Path p : packs.filter(f -> f.toString().endsWith(".pack")).toList()) {
                byte[] bytes = Files.readAllBytes(p);
                int at = indexOf(bytes, id);
                if (at >= 0) {
                    try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
                        f.seek(at + 50 + 300);
                        int b = f.read();
                        f.seek(at + 50 + 300);
                        f.write(b ^ 0x10);
                    }
                }
            }
        }
        CliResult r = Dsv.run(library, "export", "--out", tmp.resolve("out").toString());
        assertEquals(7, r.exitCode(), r.toString());
        assertTrue(r.err().contains(sha), r.toString());
        assertFalse(Files.exists(tmp.resolve("out")), "no half-written export");
        try (Stream<Path> left = Files.list(tmp)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().contains("dsv-export")), "temporary folder left");
        }
        CliResult verify = Dsv.run(library, "--json", "verify");
        assertEquals(1, verify.exitCode());
        assertEquals("corrupt", verify.json().path("problems").get(0).path("problem").asText());
    }

    private static int indexOf(byte[] hay, byte[] needle) {
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
    void hardlinkEditIsCaughtAndGcDropsCache() throws IOException {
        Path out = tmp.resolve("linked");
        CliResult r = ok("export", "--out", out.toString(), "--link", "hardlink", "--cell-type", "mono");
        assertTrue(r.err().contains("hard links"), r.toString());
        Path file = out.resolve("images/cell0001.png");
        assertEquals(2, Files.getAttribute(file, "unix:nlink"));
        Files.writeString(file, "edited in place", java.nio.file.StandardOpenOption.APPEND);

        CliResult fsck = Dsv.run(library, "--json", "fsck");
        assertEquals(1, fsck.exitCode(), fsck.toString());
        assertEquals(1, fsck.json().path("damaged_link_cache").size());
        assertEquals(0, fsck.json().path("corrupt").size(), "the packed original is intact");
        assertTrue(ok("--json", "verify").json().path("ok").asBoolean());

        ok("gc");
        assertTrue(ok("--json", "fsck").json().path("ok").asBoolean());
        CliResult exportVerify = Dsv.run(library, "--json", "export", "--verify", out.toString());
        assertEquals(1, exportVerify.exitCode());
        assertEquals("images/cell0001.png", exportVerify.json().path("modified").get(0).asText());
    }

    @Test
    void exportUsageErrors() throws IOException {
        assertEquals(2, Dsv.run(library, "export").exitCode());
        assertEquals(2, Dsv.run(library, "export", "--out", "x", "--verify", "y").exitCode());
        Path plain = Files.createDirectories(tmp.resolve("plain"));
        CliResult notExport = Dsv.run(library, "export", "--verify", plain.toString());
        assertEquals(3, notExport.exitCode(), notExport.toString());
        assertTrue(notExport.err().contains("dsv-export.json"), notExport.toString());
        CliResult syncPlain = Dsv.run(library, "export", "--out", plain.toString(), "--sync");
        assertEquals(3, syncPlain.exitCode(), syncPlain.toString());
        assertEquals(2, Dsv.run(library, "export", "--out", "z", "--link", "symlink").exitCode());
        assertEquals(2, Dsv.run(library, "gc", "--grace", "soon").exitCode());
    }

    @Test
    void gcKeepsEverythingReachable() throws IOException {
        ok("label", "set", "images/cell0001.png", "--defect", "crack", "--labeler", "qa");
        ok("label", "set", "images/cell0001.png", "--defect", "microcrack", "--labeler", "qa");
        ok("commit", "-m", "relabel twice");
        JsonNode dry = ok("--json", "gc", "--dry-run", "--grace", "0").json();
        JsonNode done = ok("--json", "gc", "--grace", "0").json();
        assertEquals(dry.path("deleted").asInt(), done.path("deleted").asInt());
        assertEquals(1, done.path("packs_after").asInt(), done.toString());
        assertTrue(ok("--json", "fsck").json().path("ok").asBoolean());
        JsonNode label = ok("--json", "show", "HEAD:images/cell0001.png").json().path("label");
        String middle = label.path("supersedes").asText();
        try (dev.dsv.repo.Repository repo = dev.dsv.repo.Repository.open(library)) {
            assertEquals(dev.dsv.store.ObjectState.PRESENT, repo.store().state(ObjectId.parse(middle)),
                    "a superseded staged record stays with the chain");
        }
        JsonNode again = ok("--json", "gc", "--grace", "0").json();
        assertEquals(0, again.path("deleted").asInt());
    }

    @Test
    void syncNeverOverwritesForeignFiles() throws IOException {
        Path out = tmp.resolve("cache");
        ok("export", "--out", out.toString(), "--cell-type", "poly");
        Path mine = out.resolve("images/cell0001.png");
        Files.writeString(mine, "my own notes");
        CliResult r = Dsv.run(library, "export", "--out", out.toString(), "--sync");
        assertEquals(3, r.exitCode(), r.toString());
        assertTrue(r.err().contains("images/cell0001.png"), r.toString());
        assertEquals("my own notes", Files.readString(mine));

        CliResult inside = Dsv.run(library, "export", "--out", library.resolve(".dsv/refs/heads/x").toString());
        assertEquals(3, inside.exitCode(), inside.toString());
        assertTrue(ok("--json", "fsck").json().path("ok").asBoolean());

        Path csv = Images.writeLabels(tmp.resolve("nodefects.csv"), "dataset_path,labeler", "images/cell0001.png,x");
        CliResult noDefects = Dsv.run(library, "label", "import", csv.toString());
        assertEquals(3, noDefects.exitCode(), noDefects.toString());
        assertTrue(noDefects.err().contains("'defects' column"), noDefects.toString());
    }
}
