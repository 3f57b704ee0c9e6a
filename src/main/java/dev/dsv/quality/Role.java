package dev.dsv.quality;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** A role a person holds on an inspection team. */
public enum Role {
    /** Labels images; tested monthly against the gold set. */
    LABELER,
    /** Reviews the daily sample of new labels; rotates after {@code verifier.rotation_months}. */
    VERIFIER,
    /** Labels the gold set together with the other experts. */
    EXPERT;

    /** Returns the lowercase name used in records, options and output. */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses one role name, or throws invalid input listing the roles. */
    public static Role parse(String text) {
        for (Role r : values()) {
            if (r.jsonName().equals(text.strip().toLowerCase(Locale.ROOT))) {
                return r;
            }
        }
        throw new DsvException(ExitCode.INVALID_INPUT, "error.people.badRole", text, "labeler, verifier, expert");
    }

    /** Parses a comma-separated list such as {@code labeler,verifier}; at least one role. */
    public static Set<Role> parseList(String text) {
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (String part : text.split(",")) {
            if (!part.isBlank()) {
                roles.add(parse(part));
            }
        }
        if (roles.isEmpty()) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.people.badRole", text, "labeler, verifier, expert");
        }
        return roles;
    }
}
