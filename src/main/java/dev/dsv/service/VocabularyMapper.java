package dev.dsv.service;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.index.ImageRow;
import dev.dsv.model.CanonicalJson;
import dev.dsv.model.Commit;
import dev.dsv.model.Defect;
import dev.dsv.model.LabelRecord;
import dev.dsv.model.MetaRecord;
import dev.dsv.model.ObjectId;
import dev.dsv.model.ObjectType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads an older commit's defect names as today's: applies, in the order they were recorded, the
 * vocabulary changes that the commit does not contain. A change is contained in a commit when its
 * result commit (the child of the change's subject whose first changed label names the change) is
 * that commit or one of its ancestors. See docs/design.md, "Comparable statistics".
 */
public final class VocabularyMapper {
    /** One recorded change as the mapping needs it. */
    record Change(ObjectId id, String operation, List<String> from, List<String> to, ObjectId subject,
                  ObjectId mapping) {
    }

    /** The mapper that changes nothing. */
    public static final VocabularyMapper IDENTITY = new VocabularyMapper(null, List.of());

    private final Session session;
    private final List<Change> pending;
    /** Split mappings by change id: image blob id (hex) to its new types, loaded on first use. */
    private final Map<ObjectId, Map<String, List<String>>> splitMaps = new HashMap<>();

    private VocabularyMapper(Session session, List<Change> pending) {
        this.session = session;
        this.pending = pending;
    }

    /** Returns the mapper from {@code commit}'s names to the names after every recorded change. */
    public static VocabularyMapper forCommit(Session session, ObjectId commit) {
        List<Change> all = recorded(session);
        if (all.isEmpty()) {
            return IDENTITY;
        }
        Ancestry ancestry = new Ancestry(session, commit);
        List<Change> pending = new ArrayList<>();
        for (Change c : all) {
            if (!ancestry.contains(c)) {
                pending.add(c);
            }
        }
        return new VocabularyMapper(session, pending);
    }

    /** Returns the mapper that applies exactly the given recorded changes, in the given order. */
    public static VocabularyMapper forChanges(Session session, List<ObjectId> changeIds) {
        Map<ObjectId, Change> byId = new HashMap<>();
        for (Change c : recorded(session)) {
            byId.put(c.id(), c);
        }
        List<Change> pending = new ArrayList<>();
        for (ObjectId id : changeIds) {
            Change c = byId.get(id);
            if (c == null) {
                throw new DsvException(ExitCode.INTEGRITY, "error.vocab.changeMissing", id.hex());
            }
            pending.add(c);
        }
        return new VocabularyMapper(session, pending);
    }

    /** Returns every old type name that a recorded change replaced. */
    public static Set<String> recordedOldNames(Session session) {
        Set<String> names = new LinkedHashSet<>();
        for (Change c : recorded(session)) {
            names.addAll(c.from());
        }
        return names;
    }

    /** Returns true when the mapper changes no name. */
    public boolean isIdentity() {
        return pending.isEmpty();
    }

    /** Returns the ids of the changes this mapper applies, in order. */
    public List<ObjectId> changeIds() {
        return pending.stream().map(Change::id).toList();
    }

    /** Maps the defects of one image, identified by its blob id for split mappings. */
    public List<Defect> map(String blob, List<Defect> defects) {
        List<Defect> out = defects;
        for (Change c : pending) {
            List<String> targets = c.operation().equals(VocabularyService.Operation.SPLIT.jsonName())
                    ? splitMap(c).get(blob) : c.to();
            if (targets != null) {
                out = DefectMapping.apply(out, c.from(), targets).defects();
            }
        }
        return out;
    }

    /** Returns a label record with mapped defects (same labeler, time and links), for counting. */
    public LabelRecord map(LabelRecord r) {
        if (r == null || pending.isEmpty()) {
            return r;
        }
        List<Defect> mapped = map(r.image().hex(), r.defects());
        return mapped == r.defects() ? r : new LabelRecord(r.image(), mapped, r.labeler(), r.labeledAt(),
                r.confidence(), r.supersedes(), r.guideline(), r.change());
    }

    /** Returns a listing row with mapped defects. */
    public ImageRow map(ImageRow row) {
        if (pending.isEmpty()) {
            return row;
        }
        List<Defect> defects;
        try {
            defects = LabelRecord.defectsFromJson(CanonicalJson.parse(row.defectsJson().getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Defect> mapped = map(row.blob(), defects);
        if (mapped == defects) {
            return row;
        }
        String json = new String(CanonicalJson.encode(mapped.stream().map(Defect::toCanonical).toList()),
                StandardCharsets.UTF_8);
        return new ImageRow(row.path(), row.blob(), row.label(), row.cellType(), row.split(), row.source(),
                row.generator(), row.attributesJson(), row.labeler(), row.labeledAt(), row.confidence(), json,
                row.guideline(), row.featuresJson());
    }

    private Map<String, List<String>> splitMap(Change c) {
        if (c.mapping() == null) {
            return Map.of();
        }
        return splitMaps.computeIfAbsent(c.id(), id -> {
            Map<String, List<String>> byBlob = new HashMap<>();
            String text = new String(session.repository().store().read(c.mapping(), ObjectType.BLOB), StandardCharsets.UTF_8);
            for (String line : text.split("\n")) {
                int tab = line.indexOf('\t');
                if (tab > 0) {
                    byBlob.put(line.substring(0, tab), Arrays.asList(line.substring(tab + 1).split(";")));
                }
            }
            return byBlob;
        });
    }

    /** Reads the vocabulary-change records in the order they were recorded. */
    @SuppressWarnings("unchecked")
    static List<Change> recorded(Session session) {
        List<Change> out = new ArrayList<>();
        for (ObjectId id : session.index().metaIds(MetaKinds.VOCABULARY_CHANGE)) {
            MetaRecord r = session.repository().metadataLog().read(id);
            Object mapping = r.body().get("mapping");
            out.add(new Change(id, String.valueOf(r.body().get("operation")),
                    List.copyOf((List<String>) r.body().get("from")), List.copyOf((List<String>) r.body().get("to")),
                    r.subject(), mapping == null ? null : ObjectId.parse(mapping.toString())));
        }
        return out;
    }

    /** The ancestors of one commit, and which of them are the result commits of changes. */
    private static final class Ancestry {
        private final Session session;
        private final Set<ObjectId> commits = new HashSet<>();
        /** Commits of the ancestry by their first parent. */
        private final Map<ObjectId, List<ObjectId>> childrenOf = new HashMap<>();

        Ancestry(Session session, ObjectId head) {
            this.session = session;
            Deque<ObjectId> todo = new ArrayDeque<>(List.of(head));
            while (!todo.isEmpty()) {
                ObjectId id = todo.pop();
                if (!commits.add(id)) {
                    continue;
                }
                Commit c = session.readCommit(id);
                if (!c.parents().isEmpty()) {
                    childrenOf.computeIfAbsent(c.parents().get(0), k -> new ArrayList<>()).add(id);
                }
                todo.addAll(c.parents());
            }
        }

        /** Returns true when the change's result commit is among the ancestors. */
        boolean contains(Change change) {
            if (change.subject() == null || !commits.contains(change.subject())) {
                return false;
            }
            for (ObjectId child : childrenOf.getOrDefault(change.subject(), List.of())) {
                if (change.id().equals(firstChangeOf(change.subject(), child))) {
                    return true;
                }
            }
            return false;
        }

        /** Returns the {@code change} field of the first changed image's new label, or null. */
        private ObjectId firstChangeOf(ObjectId parent, ObjectId child) {
            ObjectId[] found = {null};
            try {
                session.trees().diff(session.treeOf(parent), session.treeOf(child), (path, before, after) -> {
                    if (after != null) {
                        found[0] = session.readLabel(after.label()).change();
                    }
                    throw new FirstFound();
                });
            } catch (FirstFound stop) {
                return found[0];
            }
            return null;
        }
    }

    /** Stops a diff after its first change. */
    private static final class FirstFound extends RuntimeException {
        private static final long serialVersionUID = 1L;

        FirstFound() {
            super(null, null, false, false);
        }
    }
}
