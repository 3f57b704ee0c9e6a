package dev.dsv.remote;

import java.util.regex.Pattern;

/** Rules for remote keys, shared by every storage implementation. */
public final class Keys {
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*");

    private Keys() {
    }

    /**
     * Checks that a key is relative, has no empty, {@code .} or {@code ..} part and uses only
     * {@code A-Z a-z 0-9 . _ - /}; returns it. Throws {@link IllegalArgumentException} otherwise,
     * since keys come from dsv's own code, never from user input.
     */
    public static String check(String key) {
        if (key == null || !KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("invalid remote key: " + key);
        }
        for (String part : key.split("/")) {
            if (part.equals(".") || part.equals("..")) {
                throw new IllegalArgumentException("invalid remote key: " + key);
            }
        }
        return key;
    }

    /** Checks a list prefix: empty, or a key optionally followed by {@code /}. */
    public static String checkPrefix(String prefix) {
        if (prefix.isEmpty()) {
            return prefix;
        }
        check(prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix);
        return prefix;
    }
}
