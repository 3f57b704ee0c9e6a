package dev.dsv.service;

import dev.dsv.model.ImageEntry;

/**
 * One changed dataset path between two trees. A changed path can have several aspects at once
 * (relabeled and moved to another split, say): {@link #aspects()} lists them all, and
 * {@link #kind()} reports the first that applies in the order of {@link Kind}.
 */
public record Change(String path, ImageEntry before, ImageEntry after) {
    /**
     * Kind of change to a path. RESPLIT is a changed split, FACTS any other changed image fact,
     * and FEATURES changed feature vectors.
     */
    public enum Kind { ADDED, REMOVED, REPLACED, RELABELED, RESPLIT, FACTS, FEATURES }

    /** Returns every kind that applies: one for an added or removed path, one or more otherwise. */
    public java.util.EnumSet<Kind> aspects() {
        if (before == null) {
            return java.util.EnumSet.of(Kind.ADDED);
        }
        if (after == null) {
            return java.util.EnumSet.of(Kind.REMOVED);
        }
        java.util.EnumSet<Kind> aspects = java.util.EnumSet.noneOf(Kind.class);
        if (!before.blob().equals(after.blob())) {
            aspects.add(Kind.REPLACED);
        }
        if (!before.label().equals(after.label())) {
            aspects.add(Kind.RELABELED);
        }
        if (!java.util.Objects.equals(before.split(), after.split())) {
            aspects.add(Kind.RESPLIT);
        }
        if (!before.cellType().equals(after.cellType()) || !before.source().equals(after.source())
                || !java.util.Objects.equals(before.generator(), after.generator())
                || !before.attributes().equals(after.attributes())) {
            aspects.add(Kind.FACTS);
        }
        if (!before.features().equals(after.features())) {
            aspects.add(Kind.FEATURES);
        }
        return aspects;
    }

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
        if (!java.util.Objects.equals(before.split(), after.split())) {
            return Kind.RESPLIT;
        }
        if (before.sameFacts(after) && !before.features().equals(after.features())) {
            return Kind.FEATURES;
        }
        return Kind.FACTS;
    }
}
