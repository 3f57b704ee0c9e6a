package dev.dsv.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dsv.model.CanonicalJson;
import dev.dsv.model.Commit;
import dev.dsv.model.Defect;
import dev.dsv.model.ImageEntry;
import dev.dsv.model.LabelRecord;
import dev.dsv.model.ObjectId;
import dev.dsv.model.ObjectType;
import dev.dsv.model.Times;
import dev.dsv.service.Session;
import dev.dsv.store.ObjectStore;
import dev.dsv.tree.Trees;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Indexing a commit against its indexed parent copies shared rows and skips equal subtrees. These
 * tests index a history commit by commit and compare every node of the last tree with an index
 * built from that tree alone, which reads every node and every label record.
 */
class IncrementalIndexTest {
    private static final OffsetDateTime TIME = Times.parseOrNull("2026-06-01T08:00:00+08:00");

    @TempDir
    Path tmp;

    private Session session;
    private Trees trees;
    private ObjectId tree = Trees.EMPTY_TREE;
    private final List<ObjectId> commits = new ArrayList<>();
    private final Map<ObjectId, Commit> commitObjects = new TreeMap<>();
    private int labelSerial;

    @BeforeEach
    void setUp() {
        session = Session.init(tmp.resolve("lib"));
        trees = session.trees();
    }

    @AfterEach
    void tearDown() {
        session.close();
    }

    private static ObjectId blob(String text) throws Exception {
        return ObjectId.fromBytes(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** Writes a label record of its own (a new serial in the labeler id) for the blob. */
    private ObjectId label(ObjectStore.Inserter ins, ObjectId blob, String defect) {
        List<Defect> defects = defect == null ? List.of() : List.of(new Defect(defect, List.of()));
        LabelRecord r = new LabelRecord(blob, defects, "lab-" + (labelSerial++ % 7), TIME.plusSeconds(labelSerial),
                null, null);
        return ins.insert(ObjectType.LABEL, r.encode());
    }

    private ImageEntry image(ObjectStore.Inserter ins, String name, String cellType, String split, String defect)
            throws Exception {
        ObjectId b = blob(name);
        SortedMap<String, String> attributes = CanonicalJson.newObject();
        if (name.hashCode() % 3 == 0) {
            attributes.put("line", String.valueOf(Math.abs(name.hashCode() % 5)));
        }
        return new ImageEntry(b, label(ins, b, defect), cellType, "production", null, split, attributes);
    }

    /** Applies {@code changes} to the current tree and writes a commit of it on the last one. */
    private void commit(Map<String, ImageEntry> changes, ObjectStore.Inserter ins) {
        tree = trees.apply(tree, changes, ins);
        Commit c = new Commit(tree, commits.isEmpty() ? List.of() : List.of(commits.get(commits.size() - 1)),
                "tester", TIME.plusMinutes(commits.size()), "commit " + commits.size(), List.of(), List.of());
        ObjectId id = ins.insert(ObjectType.COMMIT, c.encode());
        ins.flush();
        commits.add(id);
        commitObjects.put(id, c);
    }

    private Map<String, ImageEntry> folder(ObjectStore.Inserter ins, String dir, int from, int to, String cellType)
            throws Exception {
        Map<String, ImageEntry> out = new TreeMap<>(CanonicalJson.CODE_POINT_ORDER);
        for (int i = from; i < to; i++) {
            out.put(dir + "/cell-" + i + ".png", image(ins, dir + "/cell-" + i + ".png", cellType,
                    i % 4 == 0 ? null : "train", i % 3 == 0 ? null : "crack"));
        }
        return out;
    }

    /** A history of edits of every kind: scattered relabels, facts, removals, bucket growth and shrinking. */
    private void writeHistory() throws Exception {
        try (ObjectStore.Inserter ins = session.repository().store().newInserter()) {
            Map<String, ImageEntry> first = folder(ins, "mono/line-1", 0, 3000, "mono");
            first.putAll(folder(ins, "poly", 0, 10, "poly"));
            first.putAll(folder(ins, "deep/a/b", 0, 5, "mono"));
            commit(first, ins);

            Map<String, ImageEntry> scattered = new TreeMap<>(CanonicalJson.CODE_POINT_ORDER);
            for (int i = 7; i < 3000; i += 97) {
                String path = "mono/line-1/cell-" + i + ".png";
                ImageEntry old = trees.lookup(tree, path);
                scattered.put(path, old.withLabel(label(ins, old.blob(), "dark-spot")));
            }
            for (int i = 11; i < 3000; i += 301) {
                String path = "mono/line-1/cell-" + i + ".png";
                ImageEntry old = trees.lookup(tree, path);
                scattered.put(path, new ImageEntry(old.blob(), old.label(), old.cellType(), old.source(), null, "val",
                        old.attributes()));
            }
            for (int i = 13; i < 3000; i += 499) {
                scattered.put("mono/line-1/cell-" + i + ".png", null);
            }
            scattered.putAll(folder(ins, "mono/line-1", 5000, 5004, "mono"));
            commit(scattered, ins);

            Map<String, ImageEntry> shrink = new TreeMap<>(CanonicalJson.CODE_POINT_ORDER);
            for (int i = 200; i < 3000; i++) {
                shrink.put("mono/line-1/cell-" + i + ".png", null);
            }
            commit(shrink, ins);

            Map<String, ImageEntry> grow = folder(ins, "poly", 10, 400, "poly");
            for (Map.Entry<String, ImageEntry> e : trees.imagesAt(tree, "deep").entrySet()) {
                grow.put("copy/" + e.getKey(), e.getValue());
            }
            commit(grow, ins);

            Map<String, ImageEntry> relabelGrown = new TreeMap<>(CanonicalJson.CODE_POINT_ORDER);
            for (int i = 3; i < 400; i += 50) {
                String path = "poly/cell-" + i + ".png";
                ImageEntry old = trees.lookup(tree, path);
                relabelGrown.put(path, old.withLabel(label(ins, old.blob(), null)));
            }
            relabelGrown.put("deep/a/b/cell-0.png", null);
            commit(relabelGrown, ins);
        }
    }

    @Test
    void historyIndexEqualsFreshIndex() throws Exception {
        writeHistory();
        Path live = tmp.resolve("live.sqlite");
        Path fresh = tmp.resolve("fresh.sqlite");
        try (Index index = Index.open(live)) {
            for (ObjectId id : commits) {
                index.indexCommit(id, commitObjects.get(id), trees, session::readLabel);
            }
        }
        ObjectId last = commits.get(commits.size() - 1);
        try (Index index = Index.open(fresh)) {
            index.indexCommit(last, commitObjects.get(last), trees, session::readLabel);
        }

        assertEquals(List.of(), Index.differences(live, fresh), "rows of the fresh index missing from the history index");
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + live);
             Statement s = db.createStatement()) {
            s.execute("ATTACH DATABASE '" + fresh + "' AS fresh");
            String columns = "node, name, blob, label, cell_type, split, source, generator, attributes, features";
            assertEquals(0, count(s, "SELECT " + columns + " FROM main.images WHERE node IN (SELECT id FROM fresh.tree_nodes)"
                    + " EXCEPT SELECT " + columns + " FROM fresh.images"), "image rows of the last tree that a fresh index lacks");
            assertEquals(count(s, "SELECT * FROM fresh.images"),
                    count(s, "SELECT * FROM main.images WHERE node IN (SELECT id FROM fresh.tree_nodes)"),
                    "image rows of the last tree");
            assertEquals(0, count(s, "SELECT node, name FROM main.images GROUP BY node, name HAVING count(*) > 1"),
                    "image rows indexed twice");
            assertEquals(count(s, "SELECT * FROM fresh.tree_links"),
                    count(s, "SELECT * FROM main.tree_links WHERE parent IN (SELECT id FROM fresh.tree_nodes)"),
                    "links of the last tree");
            assertEquals(count(s, "SELECT * FROM main.labels"), count(s, "SELECT DISTINCT id FROM main.labels"),
                    "label records indexed twice");
        }
    }

    @Test
    void historyIndexListsLastTree() throws Exception {
        writeHistory();
        Path live = tmp.resolve("live.sqlite");
        List<String> listed = new ArrayList<>();
        try (Index index = Index.open(live)) {
            for (ObjectId id : commits) {
                index.indexCommit(id, commitObjects.get(id), trees, session::readLabel);
            }
            index.listImages(tree, ImageFilter.ALL, row -> listed.add(row.path() + " " + row.label()));
        }
        List<String> walked = new ArrayList<>();
        trees.walk(tree, (path, e) -> walked.add(path + " " + e.label().hex()));
        walked.sort(null);
        listed.sort(null);
        assertTrue(walked.size() > 500, "the last tree holds the grown folder");
        assertEquals(walked, listed);
    }

    private static long count(Statement s, String query) throws Exception {
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM (" + query + ")")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }
}
