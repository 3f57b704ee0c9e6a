package dev.dsv.model;

import java.time.DateTimeException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/** The canonical text of times: RFC 3339 with the given offset, milliseconds only when non-zero. */
public final class Times {
    private static final DateTimeFormatter SECONDS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ssXXX");
    private static final DateTimeFormatter MILLIS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSXXX");

    private Times() {
    }

    /** Formats a time canonically after truncating it to milliseconds. */
    public static String format(OffsetDateTime time) {
        OffsetDateTime t = time.truncatedTo(ChronoUnit.MILLIS);
        return t.getNano() == 0 ? SECONDS.format(t) : MILLIS.format(t);
    }

    /** Parses an RFC 3339 time with an offset; returns null when the text is not one. */
    public static OffsetDateTime parseOrNull(String text) {
        String trimmed = text.trim();
        OffsetDateTime common = parseCommon(trimmed);
        return common != null ? common : parseWithFormatter(trimmed);
    }

    static OffsetDateTime parseWithFormatter(String text) {
        try {
            OffsetDateTime t = OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
            // RFC 3339 offsets have no seconds, and the canonical text could not keep them.
            if (t.getOffset().getTotalSeconds() % 60 != 0 || t.getYear() < 0 || t.getYear() > 9999) {
                return null;
            }
            return t.truncatedTo(ChronoUnit.MILLIS);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /**
     * Parses the shapes that canonical text and most labels files use,
     * {@code uuuu-MM-ddTHH:mm:ss}, optionally {@code .SSS}, then {@code Z} or {@code +HH:MM}, without
     * the formatter, which costs several microseconds a call. Returns null for any other text, and
     * for an invalid date or offset, so that the formatter decides those. Where it returns a time,
     * it is the one {@link #parseWithFormatter} returns.
     */
    static OffsetDateTime parseCommon(String s) {
        int n = s.length();
        if (n < 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':'
                || s.charAt(16) != ':') {
            return null;
        }

        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        if ((year | month | day | hour | minute | second) < 0) {
            return null;
        }

        int at = 19;
        int millis = 0;
        if (s.charAt(at) == '.') {
            millis = n >= at + 5 ? digits(s, at + 1, 3) : -1;
            if (millis < 0) {
                return null;
            }
            at += 4;
        }

        ZoneOffset offset;
        if (at == n - 1 && s.charAt(at) == 'Z') {
            offset = ZoneOffset.UTC;
        } else if (at == n - 6 && (s.charAt(at) == '+' || s.charAt(at) == '-') && s.charAt(at + 3) == ':') {
            int hours = digits(s, at + 1, 2);
            int minutes = digits(s, at + 4, 2);
            if ((hours | minutes) < 0 || minutes > 59) {
                return null;
            }
            int sign = s.charAt(at) == '-' ? -1 : 1;
            try {
                offset = ZoneOffset.ofHoursMinutes(sign * hours, sign * minutes);
            } catch (DateTimeException e) {
                return null;
            }
        } else {
            return null;
        }

        try {
            return OffsetDateTime.of(year, month, day, hour, minute, second, millis * 1_000_000, offset);
        } catch (DateTimeException e) {
            return null;
        }
    }

    /** Returns the value of {@code count} ASCII digits at {@code from}, or -1 when one is not a digit. */
    private static int digits(String s, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    /** Returns the current time in the system's offset, truncated to milliseconds. */
    public static OffsetDateTime now() {
        return OffsetDateTime.now().truncatedTo(ChronoUnit.MILLIS);
    }
}
