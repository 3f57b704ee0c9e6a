package dev.dsv.service;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.index.ImageFilter;
import dev.dsv.model.Commit;
import dev.dsv.model.DatasetPath;
import dev.dsv.model.ImageEntry;
import dev.dsv.model.LabelRecord;
import dev.dsv.model.ObjectId;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** {@code dsv show}: a commit with what it changed and what it holds, or one image at a commit. */
public final class ShowService {
    /** A commit, its change counts against its first parent, and its images per cell type x defect. */
    public record CommitView(ObjectId id, Commit commit, Map<Change.Kind, Integer> changes,
                             Map<List<String>, Long> images) {
    }

    /**
     * One image at a commit: its entry, the label record in force and the dimension of each of its
     * feature vectors by feature-set name.
     */
    public record ImageView(ObjectId commit, String path, ImageEntry entry, LabelRecord label,
                            Map<String, Integer> featureDimensions) {
    }

    private final Session session;

    public ShowService(Session session) {
        this.session = session;
    }

    public CommitView commit(String revision) {
        ObjectId id = session.resolve(revision);
        Commit c = session.readCommit(id);
        ObjectId parentTree = c.parents().isEmpty() ? null : session.treeOf(c.parents().get(0));
        Map<Change.Kind, Integer> counts = new EnumMap<>(Change.Kind.class);
        for (Change.Kind k : Change.Kind.values()) {
            counts.put(k, 0);
        }
        session.trees().diff(parentTree, c.tree(),
                (path, before, after) -> counts.merge(new Change(path, before, after).kind(), 1, Integer::sum));
        session.indexHistory(id);
        return new CommitView(id, c, counts, session.index().countByCellDefect(c.tree(), ImageFilter.ALL));
    }

    /** Shows {@code path} at {@code revision}; an unknown path is an unknown-revision error. */
    public ImageView image(String revision, String path) {
        ObjectId id = session.resolve(revision);
        String normalized = DatasetPath.normalize(path);
        ImageEntry e = session.trees().lookup(session.treeOf(id), normalized);
        if (e == null) {
            throw new DsvException(ExitCode.UNKNOWN_REVISION, "error.path.notInCommit", normalized, id.abbreviate(12));
        }
        Map<String, Integer> dimensions = new java.util.TreeMap<>();
        new FeaturesService(session).vectors(e).forEach((name, vector) -> dimensions.put(name, vector.dimensions()));
        return new ImageView(id, normalized, e, session.readLabel(e.label()), dimensions);
    }
}
