package dev.dsv.quality;

import java.util.Collection;
import java.util.TreeSet;

/**
 * Turns a label (a set of defect types) into a nominal category for agreement statistics: the
 * sorted set joined with {@code ;}, or {@code none} when the label has no defect. Regions and
 * confidence do not enter the category.
 */
public final class LabelCategory {
    /** The category of a label without defects. */
    public static final String NONE = "none";
    /** With agreement by defect type: the type is in the label. */
    public static final String PRESENT = "present";
    /** With agreement by defect type: the type is not in the label. */
    public static final String ABSENT = "absent";

    private LabelCategory() {
    }

    /** Returns the category of a label with the given defect types (duplicates and order ignored). */
    public static String of(Collection<String> defectTypes) {
        if (defectTypes.isEmpty()) {
            return NONE;
        }
        return String.join(";", new TreeSet<>(defectTypes));
    }

    /** Returns whether a category names the defect type (binary category for one type). */
    public static String presence(String category, String defectType) {
        if (category.equals(NONE)) {
            return ABSENT;
        }
        for (String t : category.split(";")) {
            if (t.equals(defectType)) {
                return PRESENT;
            }
        }
        return ABSENT;
    }
}
