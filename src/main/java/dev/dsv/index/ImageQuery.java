package dev.dsv.index;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.model.Defect;
import dev.dsv.model.ObjectId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Queries the images of one tree. A recursive query walks {@code tree_links} from the root and
 * builds each reached node's folder path; image rows of those nodes are then joined and filtered.
 */
final class ImageQuery {
    private static final String REACH = "WITH RECURSIVE reach(node, dir) AS ("
            + " SELECT ?, ''"
            + " UNION ALL"
            + " SELECT l.child, CASE WHEN l.name = '' THEN r.dir ELSE r.dir || l.name || '/' END"
            + " FROM tree_links l JOIN reach r ON l.parent = r.node)";

    private final Connection db;

    ImageQuery(Connection db) {
        this.db = db;
    }

    void run(ObjectId tree, ImageFilter filter, Consumer<ImageRow> consumer) {
        List<Object> params = new ArrayList<>();
        run(tree, where(filter, params), params, consumer);
    }

    /** Lists the images whose label in force has at least one of {@code defects}, by dataset path. */
    void runWithAnyDefect(ObjectId tree, java.util.Collection<String> defects, Consumer<ImageRow> consumer) {
        List<Object> params = new ArrayList<>();
        run(tree, anyDefect(defects, params), params, consumer);
    }

    /** Counts the images whose label in force has at least one of {@code defects}. */
    long countWithAnyDefect(ObjectId tree, java.util.Collection<String> defects) {
        List<Object> params = new ArrayList<>();
        String sql = REACH + " SELECT count(*) FROM reach r JOIN images i ON i.node = r.node"
                + anyDefect(defects, params);
        try (PreparedStatement ps = prepare(sql, tree, params); ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        } catch (SQLException e) {
            throw new DsvException(ExitCode.IO_ERROR, e, "error.index.failed", "index.sqlite", e.getMessage());
        }
    }

    private static String anyDefect(java.util.Collection<String> defects, List<Object> params) {
        params.addAll(defects);
        return " WHERE EXISTS (SELECT 1 FROM label_defects x WHERE x.label = i.label AND x.defect IN ("
                + String.join(", ", java.util.Collections.nCopies(defects.size(), "?")) + "))";
    }

    private void run(ObjectId tree, String where, List<Object> params, Consumer<ImageRow> consumer) {
        String sql = REACH + " SELECT r.dir || i.name AS path, i.blob, i.label, i.cell_type, i.split, i.source,"
                + " i.generator, i.attributes, lb.labeler, lb.labeled_at, lb.confidence, lb.defects, lb.guideline,"
                + " i.features"
                + " FROM reach r JOIN images i ON i.node = r.node JOIN labels lb ON lb.id = i.label"
                + where + " ORDER BY path";
        try (PreparedStatement ps = prepare(sql, tree, params); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                consumer.accept(new ImageRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9),
                        rs.getString(10), rs.getString(11), rs.getString(12), rs.getString(13), rs.getString(14)));
            }
        } catch (SQLException e) {
            throw new DsvException(ExitCode.IO_ERROR, e, "error.index.failed", "index.sqlite", e.getMessage());
        }
    }

    /**
     * Streams every indexed label record of every blob that the tree holds, grouped by blob
     * (sorted by blob id, then labeled-at time). A blob at several paths gives each record once.
     */
    void judgements(ObjectId tree, Consumer<JudgementRow> consumer) {
        String sql = REACH + " SELECT lb.id, lb.blob, lb.labeler, lb.labeled_at, lb.defects, MIN(i.cell_type), lb.guideline"
                // CROSS JOIN fixes SQLite's join order: walk the tree first, then look labels up by blob.
                + " FROM reach r CROSS JOIN images i ON i.node = r.node CROSS JOIN labels lb ON lb.blob = i.blob"
                + " GROUP BY lb.id ORDER BY lb.blob, lb.labeled_at, lb.id";
        try (PreparedStatement ps = prepare(sql, tree, List.of()); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                consumer.accept(new JudgementRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), rs.getString(7)));
            }
        } catch (SQLException e) {
            throw new DsvException(ExitCode.IO_ERROR, e, "error.index.failed", "index.sqlite", e.getMessage());
        }
    }

    Map<List<String>, Long> countByCellDefect(ObjectId tree, ImageFilter filter) {
        List<Object> params = new ArrayList<>();
        String sql = REACH + " SELECT i.cell_type, COALESCE(d.defect, '" + Defect.NONE + "') AS defect, count(*)"
                + " FROM reach r JOIN images i ON i.node = r.node JOIN labels lb ON lb.id = i.label"
                + " LEFT JOIN label_defects d ON d.label = i.label"
                + where(filter, params) + " GROUP BY 1, 2 ORDER BY 1, 2";
        Map<List<String>, Long> counts = new LinkedHashMap<>();
        try (PreparedStatement ps = prepare(sql, tree, params); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                counts.put(List.of(rs.getString(1), rs.getString(2)), rs.getLong(3));
            }
        } catch (SQLException e) {
            throw new DsvException(ExitCode.IO_ERROR, e, "error.index.failed", "index.sqlite", e.getMessage());
        }
        return counts;
    }

    private static String where(ImageFilter f, List<Object> params) {
        StringBuilder sql = new StringBuilder(" WHERE 1 = 1");
        if (f.cellType() != null) {
            sql.append(" AND i.cell_type = ?");
            params.add(f.cellType());
        }
        if (f.source() != null) {
            sql.append(" AND i.source = ?");
            params.add(f.source());
        }
        if (f.split() != null) {
            if (f.split().equals("none")) {
                sql.append(" AND i.split IS NULL");
            } else {
                sql.append(" AND i.split = ?");
                params.add(f.split());
            }
        }
        if (f.defect() != null) {
            if (f.defect().equals(Defect.NONE)) {
                sql.append(" AND NOT EXISTS (SELECT 1 FROM label_defects x WHERE x.label = i.label)");
            } else {
                sql.append(" AND EXISTS (SELECT 1 FROM label_defects x WHERE x.label = i.label AND x.defect = ?)");
                params.add(f.defect());
            }
        }
        if (f.pathPrefix() != null) {
            // The folder's images ('0' follows '/'), or the one image at that path.
            sql.append(" AND ((r.dir || i.name) = ? OR ((r.dir || i.name) >= ? AND (r.dir || i.name) < ?))");
            String p = f.pathPrefix().endsWith("/") ? f.pathPrefix() : f.pathPrefix() + "/";
            params.add(p.substring(0, p.length() - 1));
            params.add(p);
            params.add(p.substring(0, p.length() - 1) + "0");
        }
        return sql.toString();
    }

    private PreparedStatement prepare(String sql, ObjectId tree, List<Object> params) throws SQLException {
        PreparedStatement ps = db.prepareStatement(sql);
        ps.setString(1, tree.hex());
        for (int i = 0; i < params.size(); i++) {
            ps.setObject(i + 2, params.get(i));
        }
        return ps;
    }
}
