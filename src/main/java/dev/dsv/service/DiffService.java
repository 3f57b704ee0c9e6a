package dev.dsv.service;

import dev.dsv.index.ImageFilter;
import dev.dsv.model.CellDefect;
import dev.dsv.model.Defect;
import dev.dsv.model.ImageEntry;
import dev.dsv.model.LabelRecord;
import dev.dsv.model.ObjectId;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/** {@code dsv diff REV1 REV2}: every changed image with before and after, and a summary. */
public final class DiffService {
    /** One changed image with the label records in force before and after (null where absent). */
    public record Entry(Change change, LabelRecord labelBefore, LabelRecord labelAfter) {
    }

    /** The two commits, the counts per aspect, and the counts per cell type x defect and aspect. */
    public record Summary(ObjectId from, ObjectId to, Map<Change.Kind, Integer> counts,
                          Map<CellDefect, Map<Change.Kind, Integer>> byPair) {
    }

    private final Session session;

    public DiffService(Session session) {
        this.session = session;
    }

    /**
     * Diffs two revisions, passing each change that matches the filter to {@code consumer}. A
     * change matches when its image matches before or after it.
     */
    public Summary diff(String fromRevision, String toRevision, ImageFilter rawFilter, Consumer<Entry> consumer) {
        return diff(fromRevision, toRevision, rawFilter, false, consumer);
    }

    /**
     * Diffs two revisions; with {@code currentVocabulary} each side's defects are mapped to
     * today's names before the filter and the per-pair counts see them. The entries passed on keep
     * the label records as stored.
     */
    public Summary diff(String fromRevision, String toRevision, ImageFilter rawFilter, boolean currentVocabulary,
                        Consumer<Entry> consumer) {
        ImageFilter filter = new LsService(session).normalize(rawFilter);
        ObjectId from = session.resolve(fromRevision);
        ObjectId to = session.resolve(toRevision);
        VocabularyMapper fromNames = currentVocabulary ? VocabularyMapper.forCommit(session, from) : VocabularyMapper.IDENTITY;
        VocabularyMapper toNames = currentVocabulary ? VocabularyMapper.forCommit(session, to) : VocabularyMapper.IDENTITY;
        Map<Change.Kind, Integer> counts = new EnumMap<>(Change.Kind.class);
        for (Change.Kind k : Change.Kind.values()) {
            counts.put(k, 0);
        }
        Map<CellDefect, Map<Change.Kind, Integer>> byPair = new TreeMap<>();
        session.trees().diff(session.treeOf(from), session.treeOf(to), (path, before, after) -> {
            LabelRecord lb = before == null ? null : session.readLabel(before.label());
            LabelRecord la = after == null ? null : session.readLabel(after.label());
            LabelRecord mappedBefore = fromNames.map(lb);
            LabelRecord mappedAfter = toNames.map(la);
            if (!matches(filter, path, before, mappedBefore) && !matches(filter, path, after, mappedAfter)) {
                return;
            }
            Change c = new Change(path, before, after);
            ImageEntry counted = after != null ? after : before;
            LabelRecord countedLabel = after != null ? mappedAfter : mappedBefore;
            for (Change.Kind k : c.aspects()) {
                counts.merge(k, 1, Integer::sum);
                for (CellDefect pair : pairs(counted, countedLabel)) {
                    byPair.computeIfAbsent(pair, p -> new EnumMap<>(Change.Kind.class)).merge(k, 1, Integer::sum);
                }
            }
            consumer.accept(new Entry(c, lb, la));
        });
        return new Summary(from, to, counts, byPair);
    }

    static List<CellDefect> pairs(ImageEntry e, LabelRecord label) {
        List<CellDefect> out = new ArrayList<>();
        if (label.defects().isEmpty()) {
            out.add(new CellDefect(e.cellType(), Defect.NONE));
        }
        for (Defect d : label.defects()) {
            out.add(new CellDefect(e.cellType(), d.type()));
        }
        return out;
    }

    static boolean matches(ImageFilter f, String path, ImageEntry e, LabelRecord label) {
        if (e == null) {
            return false;
        }
        if (f.cellType() != null && !f.cellType().equals(e.cellType())) {
            return false;
        }
        if (f.source() != null && !f.source().equals(e.source())) {
            return false;
        }
        if (f.split() != null && !(f.split().equals("none") ? e.split() == null : f.split().equals(e.split()))) {
            return false;
        }
        if (f.pathPrefix() != null && !path.startsWith(f.pathPrefix() + "/")) {
            return false;
        }
        if (f.defect() != null) {
            return f.defect().equals(Defect.NONE) ? label.defects().isEmpty() : label.defectTypes().contains(f.defect());
        }
        return true;
    }
}
