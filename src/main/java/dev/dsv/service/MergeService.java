package dev.dsv.service;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.model.CanonicalJson;
import dev.dsv.model.Commit;
import dev.dsv.model.ImageEntry;
import dev.dsv.model.ObjectId;
import dev.dsv.repo.Repository;
import dev.dsv.repo.RepositoryLock;
import dev.dsv.store.ObjectStore;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code dsv merge BRANCH}: fast-forward where possible, otherwise a three-way merge per image.
 * For each image the blob, the label record and the image facts merge separately, so two
 * branches that relabel different images, or change labels on one side and facts on the other,
 * merge cleanly. The same field changed differently on both sides is a conflict. Conflicts are
 * resolved with a per-conflict choice, and nothing is written while any is unresolved.
 */
public final class MergeService {
    /** A choice for a conflict: keep the current branch's version or take the merged branch's. */
    public enum Side { OURS, THEIRS }

    /** One conflicting image: its entry at the merge base, on our side and on their side (null = removed). */
    public record Conflict(String path, ImageEntry base, ImageEntry ours, ImageEntry theirs) {
    }

    /** The outcome: fast-forward, up to date, or a merge commit. */
    public record Result(String kind, ObjectId commit, int changed, int resolved) {
    }

    private final Session session;

    public MergeService(Session session) {
        this.session = session;
    }

    /**
     * Merges {@code branch} into the current branch. {@code all} resolves every conflict one way;
     * {@code choices} resolves single conflicts by dataset path and wins over {@code all}.
     */
    public Result merge(String branch, Side all, Map<String, Side> choices, String message) {
        try (RepositoryLock lock = session.lock("merge")) {
            Repository repo = session.repository();
            String current = repo.currentBranch();
            if (repo.config().protectedBranches().contains(current)) {
                throw new DsvException(ExitCode.PROTECTED, "error.protected.merge", current, branch);
            }
            ObjectId ours = repo.headCommit();
            ObjectId theirs = session.resolve(branch);
            if (!session.stage().tree().equals(session.treeOf(ours))) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.merge.staged", current);
            }
            Plan plan = plan(ours, theirs, all, choices);
            if (!plan.kind().equals("merge")) {
                if (plan.kind().equals("fast-forward")) {
                    repo.updateBranch(current, ours, theirs);
                    session.indexHistory(theirs);
                }
                return new Result(plan.kind(), plan.kind().equals("fast-forward") ? theirs : ours, 0, 0);
            }
            String text = message != null ? message : "Merge " + branch + " into " + current;
            CommitService.Result r = new CommitService(session).writeCommit(current, ours, plan.tree(),
                    List.of(ours, theirs), text, null, null);
            return new Result("merge", r.id(), plan.changes().size(), plan.resolved());
        }
    }

    /**
     * The result of merging {@code theirs} into {@code ours}: "up-to-date", "fast-forward" (tree
     * of theirs) or "merge" with the merged tree (its objects flushed, no ref moved) and the
     * images it changes on our side. {@link #plan} throws {@link MergeConflictException} for
     * unresolved conflicts.
     */
    public record Plan(String kind, ObjectId tree, Map<String, ImageEntry> changes, int resolved) {
    }

    public Plan plan(ObjectId ours, ObjectId theirs, Side all, Map<String, Side> choices) {
        var repo = session.repository();
        if (ours != null && isAncestor(theirs, ours)) {
            return new Plan("up-to-date", session.treeOf(ours), Map.of(), 0);
        }
        if (ours == null || isAncestor(ours, theirs)) {
            Map<String, ImageEntry> ff = new TreeMap<>(CanonicalJson.CODE_POINT_ORDER);
            session.trees().diff(session.treeOf(ours), session.treeOf(theirs), (path, before, after) -> ff.put(path, after));
            return new Plan("fast-forward", session.treeOf(theirs), ff, 0);
        }
        ObjectId base = mergeBase(ours, theirs);
        ObjectId baseTree = session.treeOf(base);
        ObjectId ourTree = session.treeOf(ours);

        Map<String, ImageEntry[]> theirChanges = new TreeMap<>(CanonicalJson.CODE_POINT_ORDER);
        session.trees().diff(baseTree, session.treeOf(theirs),
                (path, before, after) -> theirChanges.put(path, new ImageEntry[] {before, after}));
        Map<String, ImageEntry> ourChanged = new HashMap<>();
        Set<String> ourTouched = new HashSet<>();
        session.trees().diff(baseTree, ourTree, (path, before, after) -> {
            if (theirChanges.containsKey(path)) {
                ourTouched.add(path);
                ourChanged.put(path, after);
            }
        });

        Map<String, ImageEntry> changes = new TreeMap<>(CanonicalJson.CODE_POINT_ORDER);
        List<Conflict> conflicts = new ArrayList<>();
        int resolved = 0;
        for (Map.Entry<String, ImageEntry[]> c : theirChanges.entrySet()) {
            String path = c.getKey();
            ImageEntry baseEntry = c.getValue()[0];
            ImageEntry theirEntry = c.getValue()[1];
            if (!ourTouched.contains(path)) {
                changes.put(path, theirEntry);
                continue;
            }
            ImageEntry ourEntry = ourChanged.get(path);
            if (Objects.equals(ourEntry, theirEntry)) {
                continue;
            }
            ImageEntry merged = mergeFields(baseEntry, ourEntry, theirEntry);
            if (merged != null) {
                changes.put(path, merged);
                continue;
            }
            Side side = choices.getOrDefault(path, all);
            if (side == null) {
                conflicts.add(new Conflict(path, baseEntry, ourEntry, theirEntry));
            } else {
                resolved++;
                if (side == Side.THEIRS) {
                    changes.put(path, theirEntry);
                }
            }
        }
        if (!conflicts.isEmpty()) {
            throw new MergeConflictException(conflicts, session::readLabel);
        }
        ObjectId tree;
        try (ObjectStore.Inserter inserter = repo.store().newInserter()) {
            tree = changes.isEmpty() ? ourTree : session.trees().apply(ourTree, changes, inserter);
            inserter.flush();
        }
        return new Plan("merge", tree, changes, resolved);
    }

    /**
     * Merges one image field by field. Returns null when a field changed differently on both
     * sides, or when one side removed the image and the other changed it.
     */
    static ImageEntry mergeFields(ImageEntry base, ImageEntry ours, ImageEntry theirs) {
        if (base == null || ours == null || theirs == null) {
            return null;
        }
        ObjectId blob = pick(base.blob(), ours.blob(), theirs.blob());
        ObjectId label = pick(base.label(), ours.label(), theirs.label());
        ImageEntry facts = sameFacts(base, ours) ? theirs : sameFacts(base, theirs) ? ours : null;
        var features = pick(base.features(), ours.features(), theirs.features());
        if (blob == null || label == null || facts == null || features == null) {
            return null;
        }
        return new ImageEntry(blob, label, facts.cellType(), facts.source(), facts.generator(), facts.split(),
                facts.attributes(), features);
    }

    private static <T> T pick(T base, T ours, T theirs) {
        if (ours.equals(theirs) || theirs.equals(base)) {
            return ours;
        }
        return ours.equals(base) ? theirs : null;
    }

    private static boolean sameFacts(ImageEntry a, ImageEntry b) {
        return a.sameFacts(b);
    }

    /** Returns true when {@code ancestor} is {@code commit} or one of its ancestors. */
    public boolean isAncestor(ObjectId ancestor, ObjectId commit) {
        Deque<ObjectId> todo = new ArrayDeque<>(List.of(commit));
        Set<ObjectId> seen = new HashSet<>();
        while (!todo.isEmpty()) {
            ObjectId id = todo.pop();
            if (id.equals(ancestor)) {
                return true;
            }
            if (seen.add(id)) {
                todo.addAll(session.readCommit(id).parents());
            }
        }
        return false;
    }

    /**
     * Returns a best common ancestor: the common ancestors are those of {@code a} that are also
     * ancestors of {@code b}, and one that no other common ancestor descends from is chosen.
     */
    ObjectId mergeBase(ObjectId a, ObjectId b) {
        Set<ObjectId> ofA = ancestors(a);
        Set<ObjectId> common = new HashSet<>();
        for (ObjectId id : ancestors(b)) {
            if (ofA.contains(id)) {
                common.add(id);
            }
        }
        if (common.isEmpty()) {
            return null;
        }
        Set<ObjectId> dominated = new HashSet<>();
        for (ObjectId id : common) {
            Commit c = session.readCommit(id);
            for (ObjectId p : c.parents()) {
                dominated.addAll(ancestors(p));
            }
        }
        for (ObjectId id : common) {
            if (!dominated.contains(id)) {
                return id;
            }
        }
        return common.iterator().next();
    }

    private Set<ObjectId> ancestors(ObjectId head) {
        Set<ObjectId> seen = new HashSet<>();
        Deque<ObjectId> todo = new ArrayDeque<>(List.of(head));
        while (!todo.isEmpty()) {
            ObjectId id = todo.pop();
            if (seen.add(id)) {
                todo.addAll(session.readCommit(id).parents());
            }
        }
        return seen;
    }
}
