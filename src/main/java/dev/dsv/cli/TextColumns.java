package dev.dsv.cli;

/**
 * Pads text to a number of terminal columns for aligned tables. Chinese, Japanese and Korean
 * characters take two columns in a terminal, so {@code String.format("%-12s")}, which counts
 * chars, misaligns the columns after them.
 */
final class TextColumns {
    private TextColumns() {
    }

    /** Returns the text followed by spaces up to {@code columns} terminal columns; longer text stays whole. */
    static String pad(String text, int columns) {
        int width = width(text);
        return width >= columns ? text : text + " ".repeat(columns - width);
    }

    /**
     * Returns the terminal columns the text takes: two for East Asian wide and full-width
     * characters, none for combining marks and format characters, one for the rest. The wide
     * ranges follow the usual wcwidth approximation of Unicode's East Asian Width property.
     */
    static int width(String text) {
        int width = 0;
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            int type = Character.getType(c);
            if (type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK || type == Character.FORMAT) {
                continue;
            }
            width += isWide(c) ? 2 : 1;
        }
        return width;
    }

    private static boolean isWide(int c) {
        return (c >= 0x1100 && c <= 0x115F)
                || (c >= 0x2E80 && c <= 0xA4CF && c != 0x303F)
                || (c >= 0xAC00 && c <= 0xD7A3)
                || (c >= 0xF900 && c <= 0xFAFF)
                || (c >= 0xFE30 && c <= 0xFE4F)
                || (c >= 0xFF00 && c <= 0xFF60)
                || (c >= 0xFFE0 && c <= 0xFFE6)
                || (c >= 0x20000 && c <= 0x3FFFD);
    }
}
