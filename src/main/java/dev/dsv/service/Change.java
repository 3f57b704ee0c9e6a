package dev.dsv.service;

import dev.dsv.model.ImageEntry;

/**
 * One changed dataset path between two trees, with its kind. A path can be relabeled and have
 * changed facts at once; {@link #kind()} reports the first that applies in the order added,
 * removed, replaced, relabeled, facts.
 */
public record Change(String path, ImageEntry before, ImageEntry after) {
    public enum Kind { ADDED, REMOVED, REPLACED, RELABELED, FACTS }

    public Kind kind() {
        if (before == null) {
            return Kind.ADDED;
        }
        if (after == null) {
            return Kind.REMOVED;
        }
        if (!before.blob().equals(after.blob())) {
            return Kind.REPLACED;
        }
        if (!before.label().equals(after.label())) {
            return Kind.RELABELED;
        }
        return Kind.FACTS;
    }
}
