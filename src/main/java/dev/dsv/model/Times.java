package dev.dsv.model;

import java.time.OffsetDateTime;
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
        try {
            OffsetDateTime t = OffsetDateTime.parse(text.trim(), DateTimeFormatter.ISO_OFFSET_DATE_TIME);
            // RFC 3339 offsets have no seconds, and the canonical text could not keep them.
            if (t.getOffset().getTotalSeconds() % 60 != 0 || t.getYear() < 0 || t.getYear() > 9999) {
                return null;
            }
            return t.truncatedTo(ChronoUnit.MILLIS);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** Returns the current time in the system's offset, truncated to milliseconds. */
    public static OffsetDateTime now() {
        return OffsetDateTime.now().truncatedTo(ChronoUnit.MILLIS);
    }
}
