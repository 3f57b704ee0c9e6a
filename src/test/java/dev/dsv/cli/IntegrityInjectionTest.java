package dev.dsv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.model.ObjectType;
import dev.dsv.store.PackIndexFile;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.FileTrees;
import dev.dsv.testing.Images;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Injects seeded bit flips and truncations into pack objects (blobs, trees, label records,
 * commits), pack files and indexes, the SQLite index and a directory remote's packs, then checks
 * that fsck finds each one and that {@code fsck --repair} restores the repository from its
 * remote. The default run injects 3 of each kind; {@code scripts/torture-integrity} sets
 * {@code -Ddsv.injections} higher.
 */
class IntegrityInjectionTest {
    private static final int PER_KIND = Integer.getInteger("dsv.injections", 3);
    private static final long SEED = 20261205L;

    /** What an injection damages. */
    enum Kind { BLOB_FLIP, TREE_FLIP, LABEL_FLIP, COMMIT_FLIP, PACK_TRUNCATE, PACK_INDEX_FLIP, INDEX_FLIP, INDEX_TRUNCATE,
        REMOTE_FLIP, REMOTE_TRUNCATE }

    @TempDir
    Path tmp;

    private Path base;
    private Path remote;

    private static CliResult ok(Path dir, String... args) {
        CliResult r = Dsv.run(dir, args);
        assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r);
        return r;
    }

    @BeforeEach
    void repository() {
        ok(tmp, "init", "base");
        base = tmp.resolve("base");
        remote = tmp.resolve("remote");
        ok(base, "switch", "-c", "work");
        ok(base, "add", Images.SAMPLE.resolve("images").toString(), "--labels", Images.SAMPLE.resolve("labels.csv").toString(),
                "--source", "production", "--labeler", "lab-01");
        ok(base, "commit", "-m", "sample");
        ok(base, "set", "images/cell0001.png", "--split", "test");
        ok(base, "commit", "-m", "move one image to test");
        ok(base, "remote", "add", "origin", remote.toString());
        ok(base, "push", "origin", "work");
    }

    @Test
    void fsckFindsEveryInjectionAndRepairRestores() throws Exception {
        SplittableRandom random = new SplittableRandom(SEED);
        Map<Kind, int[]> counts = new EnumMap<>(Kind.class);
        int n = 0;
        for (Kind kind : Kind.values()) {
            int[] c = new int[4];
            counts.put(kind, c);
            for (int i = 0; i < PER_KIND; i++) {
                Path lib = tmp.resolve("lib-" + (++n));
                Path remoteCopy = tmp.resolve("remote-" + n);
                FileTrees.copy(base, lib);
                FileTrees.copy(remote, remoteCopy);
                Map<String, List<String>> indexBefore = dumpIndex(lib.resolve(".dsv/index.sqlite"));
                String what = inject(kind, lib, remoteCopy, random);
                c[0]++;
                boolean remoteKind = kind == Kind.REMOTE_FLIP || kind == Kind.REMOTE_TRUNCATE;
                CliResult fsck;
                if (remoteKind) {
                    ok(lib, "remote", "add", "copy", remoteCopy.toString());
                    fsck = Dsv.run(lib, "--json", "fsck", "--remote", "copy");
                } else {
                    fsck = Dsv.run(lib, "--json", "fsck");
                }
                boolean found = fsck.exitCode() == 1 && !fsck.json().path("ok").asBoolean();
                if (found) {
                    c[1]++;
                } else {
                    // A flip in unused bytes of the SQLite file changes no row: harmless, and invisible.
                    assertTrue(kind == Kind.INDEX_FLIP, kind + " " + what + " not found\n" + fsck);
                    assertEquals(indexBefore, dumpIndex(lib.resolve(".dsv/index.sqlite")), what);
                    c[2]++;
                }
                if (!remoteKind && found) {
                    CliResult repair = Dsv.run(lib, "--json", "fsck", "--repair");
                    assertEquals(0, repair.exitCode(), kind + " " + what + "\n" + repair);
                    assertEquals(0, Dsv.run(lib, "fsck").exitCode(), kind + " " + what + ": fsck after repair");
                    assertEquals(60, imageCount(lib), what);
                    c[3]++;
                }
                deleteTree(lib);
                deleteTree(remoteCopy);
            }
        }
        StringBuilder table = new StringBuilder("integrity-injection: kind injected found harmless repaired\n");
        counts.forEach((k, c) -> table.append("integrity-injection: ").append(k).append(' ').append(c[0]).append(' ')
                .append(c[1]).append(' ').append(c[2]).append(' ').append(c[3]).append('\n'));
        System.out.print(table);
    }

    @Test
    void repairNamesWhatNoRemoteHolds() throws Exception {
        ok(base, "remote", "remove", "origin");
        corruptObject(base, ObjectType.BLOB, new SplittableRandom(SEED));

        CliResult repair = Dsv.run(base, "fsck", "--repair");

        assertEquals(1, repair.exitCode(), repair.toString());
        assertTrue(repair.out().contains("could not restore blob"), repair.toString());
        assertEquals(1, Dsv.run(base, "fsck").exitCode());
    }

    @Test
    void exportRejectsCorruptBlob() throws Exception {
        corruptObject(base, ObjectType.BLOB, new SplittableRandom(SEED + 1));

        CliResult export = Dsv.run(base, "export", "work", "--out", tmp.resolve("out").toString());

        assertEquals(7, export.exitCode(), export.toString());
        assertFalse(Files.exists(tmp.resolve("out")), "a failed export leaves no folder");
    }

    @Test
    void editedHardlinkLeavesPackedImageIntact() throws Exception {
        Path out = tmp.resolve("out");
        ok(base, "export", "work", "--out", out.toString(), "--link", "hardlink");
        Path exported;
        try (Stream<Path> files = Files.walk(out)) {
            exported = files.filter(p -> p.toString().endsWith(".png")).sorted().findFirst().orElseThrow();
        }
        exported.toFile().setWritable(true);
        try (RandomAccessFile f = new RandomAccessFile(exported.toFile(), "rw")) {
            f.seek(100);
            f.write(0x5a ^ f.read());
        }

        assertEquals(0, ok(base, "verify", "work").exitCode(), "the packed image is unchanged");
        JsonNode fsck = Dsv.run(base, "--json", "fsck").json();
        assertFalse(fsck.path("ok").asBoolean());
        assertEquals(1, fsck.path("damaged_link_cache").size(), fsck.toString());
        assertEquals(0, fsck.path("corrupt").size(), fsck.toString());
        assertEquals(0, Dsv.run(base, "fsck", "--repair").exitCode());
        assertEquals(0, Dsv.run(base, "fsck").exitCode());
    }

    /** Damages one thing of the given kind; returns a description for failure messages. */
    private String inject(Kind kind, Path lib, Path remoteCopy, SplittableRandom random) throws IOException {
        Path packs = lib.resolve(".dsv/objects/pack");
        return switch (kind) {
            case BLOB_FLIP -> corruptObject(lib, ObjectType.BLOB, random);
            case TREE_FLIP -> corruptObject(lib, ObjectType.TREE, random);
            case LABEL_FLIP -> corruptObject(lib, ObjectType.LABEL, random);
            case COMMIT_FLIP -> corruptObject(lib, ObjectType.COMMIT, random);
            case PACK_TRUNCATE -> truncate(largest(packs, ".pack"), random);
            case PACK_INDEX_FLIP -> flip(largest(packs, ".idx"), random);
            case INDEX_FLIP -> flip(lib.resolve(".dsv/index.sqlite"), random);
            case INDEX_TRUNCATE -> truncate(lib.resolve(".dsv/index.sqlite"), random);
            case REMOTE_FLIP -> corruptRecord(largest(remoteCopy.resolve("packs"), ".idx"), null, random);
            case REMOTE_TRUNCATE -> truncate(largest(remoteCopy.resolve("packs"), ".pack"), random);
        };
    }

    /** Flips one bit in the stored bytes of a random object of {@code type} in the local packs. */
    private static String corruptObject(Path lib, ObjectType type, SplittableRandom random) throws IOException {
        List<Path> indexes = files(lib.resolve(".dsv/objects/pack"), ".idx");
        List<Path> holding = new ArrayList<>();
        for (Path idx : indexes) {
            List<PackIndexFile.Entry> entries = entries(idx, type);
            if (!entries.isEmpty()) {
                holding.add(idx);
            }
        }
        return corruptRecord(holding.get(random.nextInt(holding.size())), type, random);
    }

    private static String corruptRecord(Path idx, ObjectType type, SplittableRandom random) throws IOException {
        List<PackIndexFile.Entry> entries = entries(idx, type);
        PackIndexFile.Entry e = entries.get(random.nextInt(entries.size()));
        Path pack = idx.resolveSibling(idx.getFileName().toString().replace(".idx", ".pack"));
        long at = e.offset() + PackIndexFile.RECORD_HEADER + random.nextLong(e.storedLength());
        flipAt(pack, at, random.nextInt(8));
        return "bit flip in " + e.type() + " " + e.id().hex() + " at byte " + at + " of " + pack.getFileName();
    }

    private static List<PackIndexFile.Entry> entries(Path idx, ObjectType type) throws IOException {
        List<PackIndexFile.Entry> out = new ArrayList<>();
        PackIndexFile.open(idx).forEach(e -> {
            if (type == null || e.type() == type) {
                out.add(e);
            }
        });
        return out;
    }

    private static String flip(Path file, SplittableRandom random) throws IOException {
        long at = random.nextLong(Files.size(file));
        flipAt(file, at, random.nextInt(8));
        return "bit flip at byte " + at + " of " + file.getFileName();
    }

    private static void flipAt(Path file, long at, int bit) throws IOException {
        file.toFile().setWritable(true);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ (1 << bit));
        }
    }

    private static String truncate(Path file, SplittableRandom random) throws IOException {
        long size = random.nextLong(Files.size(file));
        file.toFile().setWritable(true);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size);
        }
        return "truncated " + file.getFileName() + " to " + size + " bytes";
    }

    private static Path largest(Path dir, String suffix) throws IOException {
        Path best = null;
        for (Path p : files(dir, suffix)) {
            if (best == null || Files.size(p) > Files.size(best)) {
                best = p;
            }
        }
        return best;
    }

    private static List<Path> files(Path dir, String suffix) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("pack-") && p.toString().endsWith(suffix)).sorted().toList();
        }
    }

    /** Returns every row of the index tables that hold data from objects, sorted, for comparison. */
    private static Map<String, List<String>> dumpIndex(Path file) throws SQLException {
        Map<String, List<String>> dump = new java.util.TreeMap<>();
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = db.createStatement()) {
            for (String table : List.of("commits", "tree_nodes", "tree_links", "images", "labels", "label_defects", "meta")) {
                List<String> rows = new ArrayList<>();
                try (ResultSet rs = s.executeQuery("SELECT * FROM " + table)) {
                    int columns = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        StringBuilder row = new StringBuilder();
                        for (int i = 1; i <= columns; i++) {
                            row.append(rs.getString(i)).append('|');
                        }
                        rows.add(row.toString());
                    }
                }
                rows.sort(null);
                dump.put(table, rows);
            }
        } catch (SQLException e) {
            dump.put("unreadable", List.of(String.valueOf(e.getMessage())));
        }
        return dump;
    }

    private static int imageCount(Path lib) {
        int total = 0;
        for (JsonNode s : ok(lib, "--json", "ls", "work", "--summary").json().path("sub_libraries")) {
            total += s.path("images").asInt();
        }
        return total;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                p.toFile().setWritable(true);
                Files.delete(p);
            }
        }
    }
}
