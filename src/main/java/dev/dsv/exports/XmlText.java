package dev.dsv.exports;

/** Escaping for the XML files that VOC and CVAT exports write by hand, in a fixed layout. */
final class XmlText {
    private XmlText() {
    }

    /** Returns {@code text} escaped for element content and double-quoted attribute values. */
    static String escape(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&apos;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
