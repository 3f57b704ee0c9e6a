package dev.dsv.service;

import dev.dsv.index.ImageFilter;
import dev.dsv.index.ImageRow;
import dev.dsv.model.Defect;
import dev.dsv.model.ObjectId;
import dev.dsv.repo.RepositoryConfig;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** {@code dsv ls}: the images of a commit, filtered by cell type, defect, split, source or folder. */
public final class LsService {
    private final Session session;

    public LsService(Session session) {
        this.session = session;
    }

    /**
     * Checks filter values against the vocabularies and returns them in their configured spelling;
     * an unknown value is invalid input naming the allowed values.
     */
    public ImageFilter normalize(ImageFilter raw) {
        RepositoryConfig c = session.repository().config();
        String defect = raw.defect() == null ? null
                : raw.defect().equalsIgnoreCase(Defect.NONE) ? Defect.NONE : c.defectTypes().require(raw.defect(), "--defect");
        String split = raw.split() == null ? null
                : raw.split().equalsIgnoreCase("none") ? "none" : c.splits().require(raw.split(), "--split");
        return new ImageFilter(
                raw.cellType() == null ? null : c.cellTypes().require(raw.cellType(), "--cell-type"),
                defect, split,
                raw.source() == null ? null : c.sources().require(raw.source(), "--source"),
                raw.pathPrefix() == null ? null : dev.dsv.model.DatasetPath.normalize(raw.pathPrefix().replaceAll("/+$", "")));
    }

    /** Resolves the revision, makes sure it is indexed, and returns its tree id. */
    public ObjectId treeAt(String revision) {
        ObjectId commit = session.resolve(revision);
        session.indexHistory(commit);
        return session.readCommit(commit).tree();
    }

    public void list(ObjectId tree, ImageFilter filter, Consumer<ImageRow> consumer) {
        session.index().listImages(tree, filter, consumer);
    }

    public Map<List<String>, Long> summary(ObjectId tree, ImageFilter filter) {
        return session.index().countByCellDefect(tree, filter);
    }
}
