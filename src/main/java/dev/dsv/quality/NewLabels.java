package dev.dsv.quality;

import dev.dsv.model.Commit;
import dev.dsv.model.ImageEntry;
import dev.dsv.model.ObjectId;
import dev.dsv.service.Session;
import dev.dsv.tree.Trees;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds the label records a commit introduces: those in force after the diff against its first
 * parent, minus records that were on the before side of that diff (moved images), minus records
 * that another parent holds at the same path (brought in by a merge or promotion). Rollback
 * commits and relabel commits made by review introduce none; the caller passes them as
 * {@code exempt}. See docs/design.md, "Sampled review".
 */
public final class NewLabels {
    /** One new record: where it is in force in the commit, and the image entry there. */
    public record Found(ObjectId label, String path, ImageEntry entry) {
    }

    /** Receives the new records of a commit. */
    @FunctionalInterface
    public interface Visitor {
        void visit(Found found);
    }

    private final Session session;
    private final Set<ObjectId> exempt;

    public NewLabels(Session session, Set<ObjectId> exempt) {
        this.session = session;
        this.exempt = exempt;
    }

    /** Calls the visitor for each record new in {@code commitId}, in diff order (dataset paths by folder). */
    public void forEach(ObjectId commitId, Visitor visitor) {
        if (exempt.contains(commitId)) {
            return;
        }
        Commit commit = session.readCommit(commitId);
        List<ObjectId> parents = commit.parents();
        ObjectId before = parents.isEmpty() ? Trees.EMPTY_TREE : session.treeOf(parents.get(0));
        List<ObjectId> otherTrees = new ArrayList<>();
        for (int i = 1; i < parents.size(); i++) {
            otherTrees.add(session.treeOf(parents.get(i)));
        }
        // The diff is collected first because a record moved to another path can show up on the
        // after side before its old path shows up on the before side.
        List<Found> candidates = new ArrayList<>();
        Set<ObjectId> beforeSide = new HashSet<>();
        Trees trees = session.trees();
        trees.diff(before, commit.tree(), (path, old, now) -> {
            if (old != null) {
                beforeSide.add(old.label());
            }
            if (now != null && (old == null || !old.label().equals(now.label()))) {
                candidates.add(new Found(now.label(), path, now));
            }
        });
        for (Found f : candidates) {
            if (beforeSide.contains(f.label()) || inOtherParent(otherTrees, f)) {
                continue;
            }
            visitor.visit(f);
        }
    }

    private boolean inOtherParent(List<ObjectId> otherTrees, Found f) {
        for (ObjectId tree : otherTrees) {
            ImageEntry there = session.trees().lookup(tree, f.path());
            if (there != null && there.label().equals(f.label())) {
                return true;
            }
        }
        return false;
    }
}
