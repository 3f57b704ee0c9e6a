package dev.dsv.model;

import java.util.regex.Pattern;

/**
 * The form of a person id (labeler, verifier): a letter or digit of any script, then letters,
 * digits, combining marks (which some scripts need to spell a name) and {@code . _ @ -}, at most
 * 100 characters in all.
 */
public final class PersonId {
    private static final Pattern ID = Pattern.compile("[\\p{L}\\p{Nd}][\\p{L}\\p{M}\\p{Nd}._@-]{0,99}");

    private PersonId() {
    }

    /** Returns true when {@code id} has the form of a person id. */
    public static boolean isValid(String id) {
        return id != null && ID.matcher(id).matches();
    }
}
