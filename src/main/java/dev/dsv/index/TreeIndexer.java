package dev.dsv.index;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dsv.model.CanonicalJson;
import dev.dsv.model.Defect;
import dev.dsv.model.LabelRecord;
import dev.dsv.model.ObjectId;
import dev.dsv.model.Times;
import dev.dsv.tree.TreeEntry;
import dev.dsv.tree.TreeNode;
import dev.dsv.tree.Trees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Inserts the rows of every node of one tree that is not indexed yet, inside the caller's
 * transaction.
 *
 * <p>When the caller gives the tree of an indexed commit as the base (the first parent), each node
 * is compared with the node at the same place in the base. A node equal to its base node is
 * indexed already, so it is skipped without a query. A changed leaf copies the image rows of the
 * entries it shares with its base leaf inside SQLite, and looks up label records only for its
 * other entries, because every label record of the base is indexed. So the work follows the
 * changed entries and the nodes on their paths, not the size of the tree.
 */
final class TreeIndexer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String IMAGE_COLUMNS =
            "name, blob, label, cell_type, split, source, generator, attributes, features";
    /**
     * Rows held in the JDBC batches before they are executed. Bounds the memory of indexing a large
     * commit: sqlite-jdbc keeps every parameter of a batch until it runs.
     */
    private static final int BATCH_ROWS = 10_000;

    private final Connection db;
    private final Trees trees;
    private final Function<ObjectId, LabelRecord> labels;
    private final PreparedStatement hasNode;
    private final PreparedStatement insertNode;
    private final PreparedStatement insertLink;
    private final PreparedStatement insertImage;
    private final PreparedStatement hasLabel;
    private final PreparedStatement insertLabel;
    private final PreparedStatement insertDefect;
    /** Statements that copy a base leaf's image rows except N names, keyed by N. */
    private final Map<Integer, PreparedStatement> copyStatements = new HashMap<>();
    /** Label records inserted by the batch that has not run yet, which a query would not find. */
    private final Set<ObjectId> batchedLabels = new HashSet<>();
    private int batchedRows;

    TreeIndexer(Connection db, Trees trees, Function<ObjectId, LabelRecord> labels) throws SQLException {
        this.db = db;
        this.trees = trees;
        this.labels = labels;
        this.hasNode = db.prepareStatement("SELECT 1 FROM tree_nodes WHERE id = ?");
        this.insertNode = db.prepareStatement("INSERT INTO tree_nodes (id) VALUES (?)");
        this.insertLink = db.prepareStatement("INSERT INTO tree_links (parent, child, name) VALUES (?, ?, ?)");
        this.insertImage = db.prepareStatement("INSERT INTO images (node, " + IMAGE_COLUMNS + ")"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        this.hasLabel = db.prepareStatement("SELECT 1 FROM labels WHERE id = ?");
        this.insertLabel = db.prepareStatement("INSERT INTO labels (id, blob, labeler, labeled_at,"
                + " confidence, supersedes, defects, guideline, change) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
        this.insertDefect = db.prepareStatement("INSERT INTO label_defects (label, defect) VALUES (?, ?)");
    }

    /**
     * Indexes the nodes of {@code root} that are not indexed yet. {@code base} is the root of a
     * tree whose nodes and label records are all indexed, or null when there is none.
     */
    void indexTree(ObjectId root, ObjectId base) throws SQLException, IOException {
        if (root.equals(Trees.EMPTY_TREE)) {
            return;
        }
        indexNode(root, base == null || base.equals(Trees.EMPTY_TREE) ? null : base);
        runBatches();
    }

    private void countBatched() throws SQLException {
        if (++batchedRows >= BATCH_ROWS) {
            runBatches();
        }
    }

    private void runBatches() throws SQLException {
        insertImage.executeBatch();
        insertLink.executeBatch();
        insertLabel.executeBatch();
        insertDefect.executeBatch();
        batchedLabels.clear();
        batchedRows = 0;
    }

    private void indexNode(ObjectId id, ObjectId base) throws SQLException, IOException {
        if (id.equals(base)) {
            return;
        }
        hasNode.setString(1, id.hex());
        try (ResultSet rs = hasNode.executeQuery()) {
            if (rs.next()) {
                return;
            }
        }
        TreeNode node = trees.read(id);
        TreeNode baseNode = base == null ? null : trees.read(base);
        if (node instanceof TreeNode.Buckets buckets) {
            Map<Integer, ObjectId> baseChildren = baseNode instanceof TreeNode.Buckets b && b.level() == buckets.level()
                    ? b.children() : Map.of();
            // Children go in descending order, the reverse of a diff's walk: a commit diffs the
            // same two trees just before, and the leaves it read last are still in the LRU cache of
            // decoded nodes.
            List<Integer> keys = new ArrayList<>(buckets.children().keySet());
            for (int i = keys.size() - 1; i >= 0; i--) {
                ObjectId child = buckets.children().get(keys.get(i));
                indexNode(child, baseChildren.get(keys.get(i)));
                addLink(id, child, "");
            }
        } else {
            TreeNode.Flat baseLeaf = baseNode instanceof TreeNode.Flat flat ? flat : null;
            indexLeaf(id, (TreeNode.Flat) node, baseLeaf == null ? null : base, baseLeaf);
        }
        // The node row goes in last: a node marked indexed always has all of its rows.
        insertNode.setString(1, id.hex());
        insertNode.executeUpdate();
    }

    private void indexLeaf(ObjectId id, TreeNode.Flat node, ObjectId base, TreeNode.Flat baseNode)
            throws SQLException, IOException {
        Map<String, TreeEntry> baseEntries = new HashMap<>();
        if (baseNode != null) {
            for (TreeEntry e : baseNode.entries()) {
                baseEntries.put(e.name(), e);
            }
        }
        List<String> shared = new ArrayList<>();
        for (int i = node.entries().size() - 1; i >= 0; i--) {
            TreeEntry e = node.entries().get(i);
            TreeEntry old = baseEntries.get(e.name());
            if (e.isFolder()) {
                indexNode(e.tree(), old != null && old.isFolder() ? old.tree() : null);
                addLink(id, e.tree(), e.name());
            } else if (old != null && !old.isFolder() && old.image().equals(e.image())) {
                shared.add(e.name());
            } else {
                addImage(id, e);
            }
        }
        if (!shared.isEmpty()) {
            copyImages(base, id, baseNode, shared);
        }
    }

    /** Copies the image rows named {@code shared} from the indexed {@code base} leaf to {@code id}. */
    private void copyImages(ObjectId base, ObjectId id, TreeNode.Flat baseNode, List<String> shared)
            throws SQLException {
        List<String> excluded = new ArrayList<>();
        Set<String> kept = new HashSet<>(shared);
        for (TreeEntry e : baseNode.entries()) {
            if (!e.isFolder() && !kept.contains(e.name())) {
                excluded.add(e.name());
            }
        }
        PreparedStatement copy = copyStatements.get(excluded.size());
        if (copy == null) {
            String notIn = excluded.isEmpty() ? ""
                    : " AND name NOT IN (" + String.join(", ", Collections.nCopies(excluded.size(), "?")) + ")";
            copy = db.prepareStatement("INSERT INTO images (node, " + IMAGE_COLUMNS + ") SELECT ?, " + IMAGE_COLUMNS
                    + " FROM images WHERE node = ?" + notIn);
            copyStatements.put(excluded.size(), copy);
        }
        copy.setString(1, id.hex());
        copy.setString(2, base.hex());
        for (int i = 0; i < excluded.size(); i++) {
            copy.setString(3 + i, excluded.get(i));
        }
        copy.executeUpdate();
    }

    private void addLink(ObjectId parent, ObjectId child, String name) throws SQLException {
        insertLink.setString(1, parent.hex());
        insertLink.setString(2, child.hex());
        insertLink.setString(3, name);
        insertLink.addBatch();
        countBatched();
    }

    private void addImage(ObjectId node, TreeEntry e) throws SQLException, IOException {
        var img = e.image();
        PreparedStatement ps = insertImage;
        ps.setString(1, node.hex());
        ps.setString(2, e.name());
        ps.setString(3, img.blob().hex());
        ps.setString(4, img.label().hex());
        ps.setString(5, img.cellType());
        ps.setString(6, img.split());
        ps.setString(7, img.source());
        ps.setString(8, img.generator());
        ps.setString(9, img.attributes().isEmpty() ? null : JSON.writeValueAsString(img.attributes()));
        ps.setString(10, img.features().isEmpty() ? null : ImageRow.encodeFeatures(img.features()));
        ps.addBatch();
        countBatched();
        indexLabel(img.label());
    }

    private void indexLabel(ObjectId id) throws SQLException {
        if (batchedLabels.contains(id)) {
            return;
        }
        hasLabel.setString(1, id.hex());
        try (ResultSet rs = hasLabel.executeQuery()) {
            if (rs.next()) {
                return;
            }
        }
        LabelRecord r = labels.apply(id);
        PreparedStatement ps = insertLabel;
        ps.setString(1, id.hex());
        ps.setString(2, r.image().hex());
        ps.setString(3, r.labeler());
        ps.setString(4, Times.format(r.labeledAt()));
        ps.setString(5, r.confidence() == null ? null : CanonicalJson.plain(r.confidence()));
        ps.setString(6, r.supersedes() == null ? null : r.supersedes().hex());
        ps.setString(7, new String(CanonicalJson.encode(r.defects().stream().map(Defect::toCanonical).toList()),
                StandardCharsets.UTF_8));
        ps.setString(8, r.guideline());
        ps.setString(9, r.change() == null ? null : r.change().hex());
        ps.addBatch();
        batchedLabels.add(id);
        for (String d : Index.defectNames(r)) {
            insertDefect.setString(1, id.hex());
            insertDefect.setString(2, d);
            insertDefect.addBatch();
        }
        countBatched();
    }

    @Override
    public void close() throws SQLException {
        for (PreparedStatement ps : List.of(hasNode, insertNode, insertLink, insertImage, hasLabel, insertLabel,
                insertDefect)) {
            ps.close();
        }
        for (PreparedStatement ps : copyStatements.values()) {
            ps.close();
        }
    }
}
