package dev.dsv.index;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.model.Commit;
import dev.dsv.model.Defect;
import dev.dsv.model.LabelRecord;
import dev.dsv.model.ObjectId;
import dev.dsv.model.Times;
import dev.dsv.tree.Trees;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The SQLite index of a repository: a cache of commits, tree nodes, image rows, label records,
 * metadata and the stat cache, for queries. Image rows are kept per tree node, so indexing a
 * commit adds rows only for the nodes it introduced. Everything here except the stat cache can be
 * rebuilt from objects and refs.
 */
public final class Index implements AutoCloseable {
    /**
     * Bumped whenever the schema changes. An index of version 4 or 5 is migrated in place (see
     * {@link #migrateFrom4} and {@link #migrateFrom5}); any other version makes the index rebuild
     * itself.
     */
    static final int SCHEMA_VERSION = 6;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final Connection db;

    private Index(Path file, Connection db) {
        this.file = file;
        this.db = db;
    }

    /** Opens (creating if needed) the index file. Returns whether it was empty or outdated via {@link #isEmpty()}. */
    public static Index open(Path file) {
        SqliteNativeLibrary.prepare();
        try {
            Connection db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement s = db.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                // The index is a cache rebuilt from objects, so losing the last transactions on a
                // power cut costs a re-index, never data.
                s.execute("PRAGMA synchronous=NORMAL");
                s.execute("PRAGMA busy_timeout=30000");
                s.execute("PRAGMA foreign_keys=OFF");
                int version;
                try (ResultSet rs = s.executeQuery("PRAGMA user_version")) {
                    version = rs.next() ? rs.getInt(1) : 0;
                }
                if (version == 4 || version == 5) {
                    if (version == 4) {
                        migrateFrom4(s);
                    }
                    migrateFrom5(s);
                    s.execute("PRAGMA user_version=" + SCHEMA_VERSION);
                } else if (version != SCHEMA_VERSION) {
                    dropAll(s);
                    createSchema(s);
                    s.execute("PRAGMA user_version=" + SCHEMA_VERSION);
                }
            }
            db.setAutoCommit(false);
            return new Index(file, db);
        } catch (SQLException e) {
            String key = isDiskError(e) ? "error.index.disk" : "error.index.open";
            throw new DsvException(ExitCode.IO_ERROR, e, key, file, e.getMessage());
        }
    }

    /**
     * Returns true when SQLite reports a full disk or an I/O error of the operating system. Deleting
     * the index does not cure those, so their message tells the user to free space instead.
     */
    static boolean isDiskError(SQLException e) {
        if (e instanceof SQLiteException sqlite) {
            int primary = sqlite.getResultCode().code & 0xff;
            return primary == SQLiteErrorCode.SQLITE_FULL.code || primary == SQLiteErrorCode.SQLITE_IOERR.code;
        }
        return false;
    }

    /**
     * Image rows by node, then cell type and split: a listing filtered by cell type (and split)
     * reads only the matching rows of each reached node, not every row of the tree.
     */
    private static final String IMAGES_BY_NODE_AND_FACTS =
            "CREATE INDEX IF NOT EXISTS images_node_facts ON images(node, cell_type, split)";

    /**
     * Version 4 to 5: replaces the index {@code images_node(node)} with {@code images_node_facts}.
     * (Version 5 also added the table {@code scan_memo}, which version 6 no longer has.) Each
     * statement is idempotent and the version is set last, so a migration cut short, or run by two
     * processes at once, ends in the same schema. Rows and the stat cache are kept.
     */
    static void migrateFrom4(Statement s) throws SQLException {
        s.execute(IMAGES_BY_NODE_AND_FACTS);
        s.execute("DROP INDEX IF EXISTS images_node");
    }

    /**
     * Version 5 to 6: drops the index {@code images_blob(blob)}, adds the column
     * {@code stat_cache.ctime_ns} and the table {@code label_match}, and drops the table
     * {@code scan_memo}. No query reads image rows by blob, and every image row a commit copies or
     * inserts paid for a random insert into that index. Rows of version 5 keep NULL in the new
     * column, which matches no file, so their files are hashed once more. Idempotent like
     * {@link #migrateFrom4}.
     */
    static void migrateFrom5(Statement s) throws SQLException {
        boolean hasCtime = false;
        try (ResultSet rs = s.executeQuery("PRAGMA table_info(stat_cache)")) {
            while (rs.next()) {
                hasCtime |= "ctime_ns".equals(rs.getString("name"));
            }
        }
        if (!hasCtime) {
            s.execute("ALTER TABLE stat_cache ADD COLUMN ctime_ns INTEGER");
        }
        s.execute(LABEL_MATCH_TABLE);
        s.execute("DROP INDEX IF EXISTS images_blob");
        // The scan fingerprints of version 5 moved to the file .dsv/scan-memo (see AddScanMemo).
        s.execute("DROP TABLE IF EXISTS scan_memo");
    }

    /**
     * Per dataset path, the label record an add found to state the judgement of a resolved labels
     * row, and the SHA-256 of that row's canonical encoding (see {@code LabelMatches}), both as 32
     * bytes. Without rowid, so the path is stored once: about 90 bytes a row.
     */
    private static final String LABEL_MATCH_TABLE = "CREATE TABLE IF NOT EXISTS label_match (path TEXT PRIMARY KEY,"
            + " label BLOB NOT NULL, draft BLOB NOT NULL) WITHOUT ROWID";

    private static void dropAll(Statement s) throws SQLException {
        for (String table : List.of("commits", "tree_nodes", "tree_links", "images", "labels", "label_defects", "meta",
                "stat_cache", "add_memo", "scan_memo", "label_match")) {
            s.execute("DROP TABLE IF EXISTS " + table);
        }
    }

    private static void createSchema(Statement s) throws SQLException {
        s.execute("CREATE TABLE commits (id TEXT PRIMARY KEY, tree TEXT NOT NULL, parents TEXT NOT NULL,"
                + " committer TEXT NOT NULL, time TEXT NOT NULL, message TEXT NOT NULL, touches TEXT NOT NULL,"
                + " sources TEXT NOT NULL)");
        s.execute("CREATE TABLE tree_nodes (id TEXT PRIMARY KEY)");
        s.execute("CREATE TABLE tree_links (parent TEXT NOT NULL, child TEXT NOT NULL, name TEXT NOT NULL)");
        s.execute("CREATE INDEX tree_links_parent ON tree_links(parent)");
        s.execute("CREATE TABLE images (node TEXT NOT NULL, name TEXT NOT NULL, blob TEXT NOT NULL,"
                + " label TEXT NOT NULL, cell_type TEXT NOT NULL, split TEXT, source TEXT NOT NULL,"
                + " generator TEXT, attributes TEXT, features TEXT)");
        s.execute(IMAGES_BY_NODE_AND_FACTS);
        s.execute("CREATE TABLE labels (id TEXT PRIMARY KEY, blob TEXT NOT NULL, labeler TEXT NOT NULL,"
                + " labeled_at TEXT NOT NULL, confidence TEXT, supersedes TEXT, defects TEXT NOT NULL, guideline TEXT,"
                + " change TEXT)");
        s.execute("CREATE INDEX labels_blob ON labels(blob)");
        s.execute("CREATE TABLE label_defects (label TEXT NOT NULL, defect TEXT NOT NULL)");
        s.execute("CREATE INDEX label_defects_label ON label_defects(label)");
        s.execute("CREATE TABLE meta (id TEXT PRIMARY KEY, kind TEXT NOT NULL, subject TEXT, author TEXT,"
                + " time TEXT NOT NULL)");
        s.execute("CREATE TABLE stat_cache (path TEXT PRIMARY KEY, size INTEGER NOT NULL,"
                + " mtime_ns INTEGER NOT NULL, file_key TEXT NOT NULL, blob TEXT NOT NULL, ctime_ns INTEGER)");
        s.execute("CREATE TABLE add_memo (input TEXT PRIMARY KEY, stage_tree TEXT NOT NULL)");
        s.execute(LABEL_MATCH_TABLE);
    }

    public Path file() {
        return file;
    }

    /** Deletes every indexed row except the stat cache, before a rebuild. */
    public void clear() {
        try (Statement s = db.createStatement()) {
            beginWrite();
            for (String table : List.of("commits", "tree_nodes", "tree_links", "images", "labels", "label_defects", "meta")) {
                s.execute("DELETE FROM " + table);
            }
            db.commit();
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /**
     * Checks an index file against one rebuilt from the objects: SQLite's integrity check of
     * {@code live}, then every row of {@code rebuilt} (commits, tree nodes and links, images,
     * labels, defects, metadata) that {@code live} lacks or holds changed. Rows that only
     * {@code live} holds (commits no ref reaches any more) are not problems. Returns one line per
     * problem; empty when the index is sound.
     */
    public static List<String> differences(Path live, Path rebuilt) {
        List<String> problems = new ArrayList<>();
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + live.toAbsolutePath());
             Statement s = db.createStatement()) {
            try (ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
                while (rs.next()) {
                    if (!"ok".equals(rs.getString(1))) {
                        problems.add(rs.getString(1));
                    }
                }
            }
            if (!problems.isEmpty()) {
                return problems;
            }
            s.execute("ATTACH DATABASE '" + rebuilt.toAbsolutePath().toString().replace("'", "''") + "' AS rebuilt");
            for (String table : List.of("commits", "tree_nodes", "tree_links", "images", "labels", "label_defects", "meta")) {
                String query = "SELECT count(*) FROM (SELECT * FROM rebuilt." + table + " EXCEPT SELECT * FROM main." + table + ")";
                try (ResultSet rs = s.executeQuery(query)) {
                    long n = rs.next() ? rs.getLong(1) : 0;
                    if (n > 0) {
                        problems.add(table + ": " + n + " rows missing or changed");
                    }
                }
            }
        } catch (SQLException e) {
            if (isDiskError(e)) {
                // A full disk or a failing read is no evidence that the index's contents are wrong.
                throw new DsvException(ExitCode.IO_ERROR, e, "error.index.disk", live, e.getMessage());
            }
            problems.add(String.valueOf(e.getMessage()));
        }
        return problems;
    }

    // ---- commits and trees ----

    public boolean hasCommit(ObjectId id) {
        try (PreparedStatement ps = db.prepareStatement("SELECT 1 FROM commits WHERE id = ?")) {
            ps.setString(1, id.hex());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /**
     * Indexes one commit: its row, every tree node of its tree not indexed yet, and the label
     * records those nodes point at. Runs in one transaction. When the first parent is indexed,
     * only the nodes that differ from its tree are read (see {@link TreeIndexer}).
     */
    public void indexCommit(ObjectId id, Commit commit, Trees trees, Function<ObjectId, LabelRecord> labels) {
        try {
            beginWrite();
            try (PreparedStatement ps = db.prepareStatement(
                    "INSERT OR IGNORE INTO commits (id, tree, parents, committer, time, message, touches, sources)"
                            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, id.hex());
                ps.setString(2, commit.tree().hex());
                ps.setString(3, JSON.writeValueAsString(commit.parents().stream().map(ObjectId::hex).toList()));
                ps.setString(4, commit.committer());
                ps.setString(5, Times.format(commit.time()));
                ps.setString(6, commit.message());
                ps.setString(7, JSON.writeValueAsString(commit.touches().stream()
                        .map(p -> List.of(p.cellType(), p.defect())).toList()));
                ps.setString(8, JSON.writeValueAsString(commit.sources()));
                ps.executeUpdate();
            }
            try (TreeIndexer indexer = new TreeIndexer(db, trees, labels)) {
                indexer.indexTree(commit.tree(), indexedTreeOf(commit.parents()));
            }
            db.commit();
        } catch (SQLException | IOException e) {
            rollbackQuietly();
            throw failure(e);
        } catch (RuntimeException e) {
            rollbackQuietly();
            throw e;
        }
    }

    /**
     * Returns the tree of the first of {@code parents} when that commit is indexed, else null. An
     * indexed commit has all its tree nodes and label records indexed, because they go into the
     * same transaction as its row.
     */
    private ObjectId indexedTreeOf(List<ObjectId> parents) throws SQLException {
        if (parents.isEmpty()) {
            return null;
        }
        try (PreparedStatement ps = db.prepareStatement("SELECT tree FROM commits WHERE id = ?")) {
            ps.setString(1, parents.get(0).hex());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? ObjectId.parse(rs.getString(1)) : null;
            }
        }
    }

    /** Returns the number of indexed commits. */
    public int commitCount() {
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM commits")) {
            return rs.next() ? rs.getInt(1) : 0;
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /** Returns commit ids starting with {@code prefix} (at most {@code limit}). */
    public List<ObjectId> commitsWithPrefix(String prefix, int limit) {
        List<ObjectId> ids = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement(
                "SELECT id FROM commits WHERE id >= ? AND id < ? ORDER BY id LIMIT ?")) {
            ps.setString(1, prefix);
            ps.setString(2, prefix + "g");
            ps.setInt(3, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(ObjectId.parse(rs.getString(1)));
                }
            }
        } catch (SQLException e) {
            throw failure(e);
        }
        return ids;
    }

    // ---- listing ----

    /**
     * Lists the images of a tree that match the filter, sorted by dataset path, calling
     * {@code consumer} for each row. The tree must have been indexed through a commit.
     */
    public void listImages(ObjectId tree, ImageFilter filter, java.util.function.Consumer<ImageRow> consumer) {
        new ImageQuery(db).run(tree, filter, consumer);
    }

    /**
     * Lists the images of a tree whose label in force has at least one of {@code defects}, sorted
     * by dataset path. The tree must have been indexed through a commit.
     */
    public void listImagesWithAnyDefect(ObjectId tree, java.util.Collection<String> defects,
                                        java.util.function.Consumer<ImageRow> consumer) {
        new ImageQuery(db).runWithAnyDefect(tree, defects, consumer);
    }

    /** Counts the images of a tree whose label in force has at least one of {@code defects}. */
    public long countImagesWithAnyDefect(ObjectId tree, java.util.Collection<String> defects) {
        return new ImageQuery(db).countWithAnyDefect(tree, defects);
    }

    /** Returns the number of images per (cell type, defect) of a tree, sorted by key. */
    public Map<List<String>, Long> countByCellDefect(ObjectId tree, ImageFilter filter) {
        return new ImageQuery(db).countByCellDefect(tree, filter);
    }

    /**
     * Streams the label records of every blob that a tree holds, grouped by blob; see
     * {@link JudgementRow}. The tree must have been indexed through a commit.
     */
    public void listJudgements(ObjectId tree, java.util.function.Consumer<JudgementRow> consumer) {
        new ImageQuery(db).judgements(tree, consumer);
    }

    // ---- metadata ----

    /** Indexes one metadata record (idempotent). */
    public void indexMeta(ObjectId id, String kind, ObjectId subject, String author, String time) {
        try (PreparedStatement ps = db.prepareStatement(
                "INSERT OR IGNORE INTO meta (id, kind, subject, author, time) VALUES (?, ?, ?, ?, ?)")) {
            beginWrite();
            ps.setString(1, id.hex());
            ps.setString(2, kind);
            ps.setString(3, subject == null ? null : subject.hex());
            ps.setString(4, author);
            ps.setString(5, time);
            ps.executeUpdate();
            db.commit();
        } catch (SQLException e) {
            rollbackQuietly();
            throw failure(e);
        }
    }

    /** Returns the ids of the indexed metadata records of a kind, in the order they were indexed. */
    public List<ObjectId> metaIds(String kind) {
        List<ObjectId> ids = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT id FROM meta WHERE kind = ? ORDER BY rowid")) {
            ps.setString(1, kind);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(ObjectId.parse(rs.getString(1)));
                }
            }
        } catch (SQLException e) {
            throw failure(e);
        }
        return ids;
    }

    /** Returns the ids of every indexed metadata record. */
    public java.util.Set<ObjectId> metaIdSet() {
        java.util.Set<ObjectId> ids = new java.util.HashSet<>();
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("SELECT id FROM meta")) {
            while (rs.next()) {
                ids.add(ObjectId.parse(rs.getString(1)));
            }
        } catch (SQLException e) {
            throw failure(e);
        }
        return ids;
    }

    /** Returns the number of indexed metadata records of a kind. */
    public int countMeta(String kind) {
        try (PreparedStatement ps = db.prepareStatement("SELECT count(*) FROM meta WHERE kind = ?")) {
            ps.setString(1, kind);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    // ---- stat cache ----

    /**
     * A stat cache row: what a file looked like when it was last hashed. {@code ctimeNanos} is
     * {@link #NO_CTIME} for a row written before the index had the column.
     */
    public record StatRow(long size, long mtimeNanos, long ctimeNanos, String fileKey, ObjectId blob) {
        /** The ctime of a row without one; equal to no file's ctime. */
        public static final long NO_CTIME = Long.MIN_VALUE;
    }

    /** Loads the stat cache rows whose path starts with {@code prefix}. */
    public Map<String, StatRow> statCache(String prefix) {
        Map<String, StatRow> rows = new HashMap<>();
        try (PreparedStatement ps = db.prepareStatement(
                "SELECT path, size, mtime_ns, file_key, blob, ctime_ns FROM stat_cache WHERE path >= ? AND path < ?")) {
            ps.setString(1, prefix);
            ps.setString(2, prefix + '\uffff');
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long ctime = rs.getLong(6);
                    if (rs.wasNull()) {
                        ctime = StatRow.NO_CTIME;
                    }
                    rows.put(rs.getString(1), new StatRow(rs.getLong(2), rs.getLong(3), ctime, rs.getString(4),
                            ObjectId.parse(rs.getString(5))));
                }
            }
        } catch (SQLException e) {
            throw failure(e);
        }
        return rows;
    }

    /** Records stat cache rows in one transaction. */
    public void putStatCache(Map<String, StatRow> rows) {
        try (PreparedStatement ps = db.prepareStatement(
                "INSERT OR REPLACE INTO stat_cache (path, size, mtime_ns, file_key, blob, ctime_ns) VALUES (?, ?, ?, ?, ?, ?)")) {
            beginWrite();
            for (Map.Entry<String, StatRow> e : rows.entrySet()) {
                ps.setString(1, e.getKey());
                ps.setLong(2, e.getValue().size());
                ps.setLong(3, e.getValue().mtimeNanos());
                ps.setString(4, e.getValue().fileKey());
                ps.setString(5, e.getValue().blob().hex());
                ps.setLong(6, e.getValue().ctimeNanos());
                ps.addBatch();
            }
            ps.executeBatch();
            db.commit();
        } catch (SQLException e) {
            rollbackQuietly();
            throw failure(e);
        }
    }

    /**
     * A {@code label_match} row: a label record and the SHA-256 of the resolved row it states (a
     * digest of no stored object, kept in an {@link ObjectId} for its equality).
     */
    public record LabelMatch(ObjectId label, ObjectId draft) {
    }

    /** Loads the {@code label_match} rows whose dataset path starts with {@code prefix}. */
    public Map<String, LabelMatch> labelMatches(String prefix) {
        Map<String, LabelMatch> rows = new HashMap<>();
        try (PreparedStatement ps = db.prepareStatement(
                "SELECT path, label, draft FROM label_match WHERE path >= ? AND path < ?")) {
            ps.setString(1, prefix);
            ps.setString(2, prefix + '\uffff');
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byte[] label = rs.getBytes(2);
                    byte[] draft = rs.getBytes(3);
                    // A row of another length is not one this code wrote; the add reads the record.
                    if (label != null && draft != null && label.length == 32 && draft.length == 32) {
                        rows.put(rs.getString(1), new LabelMatch(ObjectId.fromBytes(label), ObjectId.fromBytes(draft)));
                    }
                }
            }
        } catch (SQLException e) {
            throw failure(e);
        }
        return rows;
    }

    /** Records {@code label_match} rows in one transaction. */
    public void putLabelMatches(Map<String, LabelMatch> rows) {
        try (PreparedStatement ps = db.prepareStatement(
                "INSERT OR REPLACE INTO label_match (path, label, draft) VALUES (?, ?, ?)")) {
            beginWrite();
            for (Map.Entry<String, LabelMatch> e : rows.entrySet()) {
                ps.setString(1, e.getKey());
                ps.setBytes(2, e.getValue().label().toBytes());
                ps.setBytes(3, e.getValue().draft().toBytes());
                ps.addBatch();
            }
            ps.executeBatch();
            db.commit();
        } catch (SQLException e) {
            rollbackQuietly();
            throw failure(e);
        }
    }

    /**
     * Returns the stage tree a previous add of exactly this input (a hash of every resolved image
     * and label) produced, or null. Like the stat cache, a cache: losing it costs time only.
     */
    public ObjectId addMemo(String input) {
        try (PreparedStatement ps = db.prepareStatement("SELECT stage_tree FROM add_memo WHERE input = ?")) {
            ps.setString(1, input);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? ObjectId.parse(rs.getString(1)) : null;
            }
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /** Records the stage tree an add of this input produced, keeping only the latest 64 inputs. */
    public void putAddMemo(String input, ObjectId stageTree) {
        try (PreparedStatement ps = db.prepareStatement("INSERT OR REPLACE INTO add_memo (input, stage_tree) VALUES (?, ?)");
             Statement trim = db.createStatement()) {
            beginWrite();
            ps.setString(1, input);
            ps.setString(2, stageTree.hex());
            ps.executeUpdate();
            trim.execute("DELETE FROM add_memo WHERE rowid NOT IN (SELECT rowid FROM add_memo ORDER BY rowid DESC LIMIT 64)");
            db.commit();
        } catch (SQLException e) {
            rollbackQuietly();
            throw failure(e);
        }
    }

    static List<String> defectNames(LabelRecord label) {
        return label.defects().stream().map(Defect::type).toList();
    }

    private void rollbackQuietly() {
        try {
            db.rollback();
        } catch (SQLException ignored) {
            // The connection is broken; the caller reports the original failure.
        }
    }

    /**
     * Ends the read transaction that the connection keeps open between queries (auto-commit is
     * off), so that the next statement, a write, starts a new transaction on the newest snapshot.
     * Without this, a write after another process wrote to the index since this connection's last
     * query fails at once with SQLITE_BUSY_SNAPSHOT, because SQLite cannot upgrade an outdated read
     * transaction, and the busy timeout does not apply. Every write method calls this first, and its
     * first statement is a write, which waits for the busy timeout when another process is writing.
     */
    private void beginWrite() throws SQLException {
        db.commit();
    }

    private DsvException failure(Exception e) {
        String key = e instanceof SQLException sql && isDiskError(sql) ? "error.index.disk" : "error.index.failed";
        return new DsvException(ExitCode.IO_ERROR, e, key, file, e.getMessage());
    }

    @Override
    public void close() {
        try {
            db.close();
        } catch (SQLException ignored) {
            // Nothing is pending: every write commits its own transaction.
        }
    }
}
