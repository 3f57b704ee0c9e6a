package dev.dsv.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dsv.model.ObjectId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening an index of schema version 4 or 5 migrates it in place instead of rebuilding it. */
class IndexMigrationTest {
    @TempDir
    Path tmp;

    private static ObjectId id(String text) throws Exception {
        return ObjectId.fromBytes(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** Turns a current index file back into version 4: the old node index, the blob index and version number. */
    private static void downgradeToVersion4(Path file) throws SQLException {
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
             Statement s = db.createStatement()) {
            s.execute("DROP INDEX images_node_facts");
            s.execute("CREATE INDEX images_node ON images(node)");
            s.execute("CREATE INDEX images_blob ON images(blob)");
            s.execute("INSERT INTO images (node, name, blob, label, cell_type, split, source)"
                    + " VALUES ('n1', 'a.png', 'b1', 'l1', 'mono', 'train', 'production')");
            s.execute("PRAGMA user_version=4");
        }
    }

    /**
     * Turns a current index file back into version 5: the stat cache without its ctime column,
     * the table scan_memo, no table label_match, the index images_blob, and one image row.
     */
    private static void downgradeToVersion5(Path file) throws SQLException {
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
             Statement s = db.createStatement()) {
            s.execute("ALTER TABLE stat_cache RENAME TO stat_cache_6");
            s.execute("CREATE TABLE stat_cache (path TEXT PRIMARY KEY, size INTEGER NOT NULL,"
                    + " mtime_ns INTEGER NOT NULL, file_key TEXT NOT NULL, blob TEXT NOT NULL)");
            s.execute("INSERT INTO stat_cache SELECT path, size, mtime_ns, file_key, blob FROM stat_cache_6");
            s.execute("DROP TABLE stat_cache_6");
            s.execute("DROP TABLE label_match");
            s.execute("CREATE TABLE scan_memo (input TEXT PRIMARY KEY, stage_tree TEXT NOT NULL, packs TEXT NOT NULL)");
            s.execute("CREATE INDEX images_blob ON images(blob)");
            s.execute("INSERT INTO images (node, name, blob, label, cell_type, split, source)"
                    + " VALUES ('n1', 'a.png', 'b1', 'l1', 'mono', 'train', 'production')");
            s.execute("PRAGMA user_version=5");
        }
    }

    private static List<String> indexNames(Path file) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
             Statement s = db.createStatement();
             ResultSet rs = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'images'"
                     + " ORDER BY name")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    private static int scalar(Path file, String query) throws SQLException {
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
             Statement s = db.createStatement();
             ResultSet rs = s.executeQuery(query)) {
            return rs.next() ? rs.getInt(1) : -1;
        }
    }

    @Test
    void version4KeepsRowsAndStatCache() throws Exception {
        Path file = tmp.resolve("index.sqlite");
        try (Index index = Index.open(file)) {
            index.putStatCache(Map.of("/data/a.png", new Index.StatRow(10, 20, 30, "key", id("blob"))));
            index.indexMeta(id("meta"), "promotion", null, "lab-01", "2026-06-01T08:00:00Z");
        }
        downgradeToVersion4(file);
        assertEquals(List.of("images_blob", "images_node"), indexNames(file));

        try (Index index = Index.open(file)) {
            assertEquals(1, index.statCache("/data/").size(), "the stat cache survives the migration");
            assertEquals(1, index.countMeta("promotion"), "indexed rows survive the migration");
        }

        assertEquals(Index.SCHEMA_VERSION, scalar(file, "PRAGMA user_version"));
        assertEquals(List.of("images_node_facts"), indexNames(file));
        assertEquals(1, scalar(file, "SELECT count(*) FROM images"));
    }

    @Test
    void version5DropsBlobIndexKeepsRows() throws Exception {
        Path file = tmp.resolve("index.sqlite");
        try (Index index = Index.open(file)) {
            index.putStatCache(Map.of("/data/a.png", new Index.StatRow(10, 20, 30, "key", id("blob"))));
        }
        downgradeToVersion5(file);
        assertEquals(List.of("images_blob", "images_node_facts"), indexNames(file));

        try (Index index = Index.open(file)) {
            assertEquals(1, index.statCache("/data/").size(), "the stat cache survives the migration");
        }

        assertEquals(Index.SCHEMA_VERSION, scalar(file, "PRAGMA user_version"));
        assertEquals(List.of("images_node_facts"), indexNames(file));
        assertEquals(1, scalar(file, "SELECT count(*) FROM images"));
    }

    @Test
    void version5StatCacheRowsMatchNoCtime() throws Exception {
        Path file = tmp.resolve("index.sqlite");
        try (Index index = Index.open(file)) {
            index.putStatCache(Map.of("/data/a.png", new Index.StatRow(10, 20, 30, "key", id("blob"))));
        }
        downgradeToVersion5(file);

        try (Index index = Index.open(file)) {
            Index.StatRow old = index.statCache("/data/").get("/data/a.png");
            assertEquals(10, old.size(), "the stat cache survives the migration");
            assertEquals(Index.StatRow.NO_CTIME, old.ctimeNanos(), "a row without ctime matches no file");
            index.putStatCache(Map.of("/data/b.png", new Index.StatRow(11, 21, 31, "key", id("blob"))));
            assertEquals(31, index.statCache("/data/").get("/data/b.png").ctimeNanos());
        }
        assertEquals(Index.SCHEMA_VERSION, scalar(file, "PRAGMA user_version"));
        assertEquals(1, scalar(file, "SELECT count(*) FROM sqlite_master WHERE name = 'label_match'"));
        assertEquals(0, scalar(file, "SELECT count(*) FROM sqlite_master WHERE name = 'scan_memo'"));
    }

    @Test
    void migrationCutShortIsFinishedLater() throws Exception {
        Path file = tmp.resolve("index.sqlite");
        Index.open(file).close();
        downgradeToVersion4(file);
        // A process killed after the new index was made but before the old one was dropped.
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
             Statement s = db.createStatement()) {
            s.execute("CREATE INDEX images_node_facts ON images(node, cell_type, split)");
        }

        Index.open(file).close();

        assertEquals(Index.SCHEMA_VERSION, scalar(file, "PRAGMA user_version"));
        assertEquals(List.of("images_node_facts"), indexNames(file));
        assertEquals(1, scalar(file, "SELECT count(*) FROM images"));
    }

    @Test
    void otherVersionRebuildsEmpty() throws Exception {
        Path file = tmp.resolve("index.sqlite");
        Index.open(file).close();
        downgradeToVersion4(file);
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
             Statement s = db.createStatement()) {
            s.execute("PRAGMA user_version=3");
        }

        Index.open(file).close();

        assertEquals(0, scalar(file, "SELECT count(*) FROM images"));
        assertFalse(indexNames(file).contains("images_node"));
        assertTrue(indexNames(file).contains("images_node_facts"));
    }
}
