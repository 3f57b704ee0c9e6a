package dev.dsv.leakage;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.model.ImageEntry;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * How images are grouped for group leakage and {@code dsv split}: by an image attribute
 * ({@code attr:NAME}) or by a regular expression on the dataset path ({@code pattern:REGEX}, the
 * first capturing group of the first match, or the whole match when the pattern has no group).
 */
public final class GroupKey {
    private final String attribute;
    private final Pattern pattern;

    private GroupKey(String attribute, Pattern pattern) {
        this.attribute = attribute;
        this.pattern = pattern;
    }

    /** Groups by the value of an image attribute. */
    public static GroupKey attribute(String name) {
        if (name == null || name.isBlank()) {
            throw new DsvException(ExitCode.USAGE, "error.leakage.groupKeySyntax", "attr:" + name);
        }
        return new GroupKey(name.trim(), null);
    }

    /** Groups by a regular expression on the dataset path. */
    public static GroupKey pattern(String regex) {
        try {
            return new GroupKey(null, Pattern.compile(regex));
        } catch (PatternSyntaxException e) {
            throw new DsvException(ExitCode.USAGE, "error.leakage.badPattern", regex, e.getDescription());
        }
    }

    /** Parses {@code attr:NAME} or {@code pattern:REGEX}, the form of the policy setting. */
    public static GroupKey parse(String spec) {
        if (spec.startsWith("attr:")) {
            return attribute(spec.substring(5));
        }
        if (spec.startsWith("pattern:")) {
            return pattern(spec.substring(8));
        }
        throw new DsvException(ExitCode.USAGE, "error.leakage.groupKeySyntax", spec);
    }

    /** Returns the group of an image, or null when it has none. */
    public String keyOf(String path, ImageEntry entry) {
        if (attribute != null) {
            String v = entry.attributes().get(attribute);
            return v == null || v.isEmpty() ? null : v;
        }
        Matcher m = pattern.matcher(path);
        if (!m.find()) {
            return null;
        }
        String v = m.groupCount() > 0 ? m.group(1) : m.group();
        return v == null || v.isEmpty() ? null : v;
    }

    @Override
    public String toString() {
        return attribute != null ? "attr:" + attribute : "pattern:" + pattern.pattern();
    }
}
