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
                : raw.defect().equalsIgnoreCase(Defect.NONE) ? Defect.NONE : defectFilter(raw.defect(), c);
        String split = raw.split() == null ? null
                : raw.split().equalsIgnoreCase("none") ? "none" : c.splits().require(raw.split(), "--split");
        return new ImageFilter(
                raw.cellType() == null ? null : c.cellTypes().require(raw.cellType(), "--cell-type"),
                defect, split,
                raw.source() == null ? null : c.sources().require(raw.source(), "--source"),
                raw.pathPrefix() == null ? null : dev.dsv.model.DatasetPath.normalize(raw.pathPrefix().replaceAll("/+$", "")));
    }

    /**
     * Returns a configured defect type in its spelling, or a type that a recorded vocabulary change
     * replaced (so older commits stay searchable by their own names).
     */
    private String defectFilter(String raw, RepositoryConfig c) {
        if (c.defectTypes().lookup(raw) == null) {
            String written = dev.dsv.model.CanonicalJson.nfc(raw.strip());
            if (VocabularyMapper.recordedOldNames(session).contains(written)) {
                return written;
            }
        }
        return c.defectTypes().require(raw, "--defect");
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

    /**
     * Lists the images with their defects mapped to today's names; the defect filter applies to
     * the mapped names.
     */
    public void list(ObjectId tree, ImageFilter filter, VocabularyMapper mapper, Consumer<ImageRow> consumer) {
        if (mapper.isIdentity()) {
            list(tree, filter, consumer);
            return;
        }
        ImageFilter withoutDefect = new ImageFilter(filter.cellType(), null, filter.split(), filter.source(),
                filter.pathPrefix());
        list(tree, withoutDefect, row -> {
            ImageRow mapped = mapper.map(row);
            if (filter.defect() == null || hasDefect(defectTypes(mapped), filter.defect())) {
                consumer.accept(mapped);
            }
        });
    }

    /** Counts images per (cell type, defect) with the defects mapped to today's names, sorted by key. */
    public Map<List<String>, Long> summary(ObjectId tree, ImageFilter filter, VocabularyMapper mapper) {
        if (mapper.isIdentity()) {
            return summary(tree, filter);
        }
        java.util.Comparator<List<String>> order = java.util.Comparator
                .<List<String>, String>comparing(k -> k.get(0), dev.dsv.model.CanonicalJson.CODE_POINT_ORDER)
                .thenComparing(k -> k.get(1), dev.dsv.model.CanonicalJson.CODE_POINT_ORDER);
        Map<List<String>, Long> counts = new java.util.TreeMap<>(order);
        list(tree, filter, mapper, row -> {
            List<String> types = defectTypes(row);
            for (String t : types.isEmpty() ? List.of(Defect.NONE) : types) {
                counts.merge(List.of(row.cellType(), t), 1L, Long::sum);
            }
        });
        return new java.util.LinkedHashMap<>(counts);
    }

    private static boolean hasDefect(List<String> types, String defect) {
        return defect.equals(Defect.NONE) ? types.isEmpty() : types.contains(defect);
    }

    private static List<String> defectTypes(ImageRow row) {
        try {
            List<String> types = new java.util.ArrayList<>();
            for (var d : dev.dsv.model.CanonicalJson.parse(row.defectsJson().getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
                types.add(d.get("type").asText());
            }
            return types;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
