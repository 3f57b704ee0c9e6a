package dev.dsv.tree;

import dev.dsv.model.ObjectId;
import java.util.List;
import java.util.SortedMap;

/**
 * A decoded tree object: a flat node (entries sorted by name) or a bucket node (children keyed by
 * one hex digit of the hash of the case-folded name). See docs/design.md, "Trees".
 */
public sealed interface TreeNode {
    /** Number of entries of the folder part this node covers. */
    int count();

    /** A flat node with at most {@link Trees#MAX_FLAT} entries, sorted by name. */
    record Flat(List<TreeEntry> entries) implements TreeNode {
        public Flat {
            entries = List.copyOf(entries);
        }

        @Override
        public int count() {
            return entries.size();
        }
    }

    /** A bucket node at {@code level}: the children by hex digit {@code level} of the name hash. */
    record Buckets(int level, int count, SortedMap<Integer, ObjectId> children) implements TreeNode {
    }
}
