package dev.dsv.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The parser of common time shapes gives the formatter's result, and leaves every other text to it. */
class TimesTest {
    private static final List<String> COMMON = List.of(
            "2026-06-01T08:00:00+08:00", "2026-06-01T08:00:00Z", "2026-06-01T08:00:00.123Z",
            "2026-06-01T08:00:00.000-05:30", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999+18:00",
            "2024-02-29T12:00:00-00:00", "2026-06-01T08:00:00.120+00:00");

    private static final List<String> OTHER = List.of(
            "2026-06-01T08:00:00.1Z", "2026-06-01T08:00:00.123456Z", "2026-06-01t08:00:00Z",
            "2026-06-01T08:00:00z", "2026-06-01T08:00Z", "2026-02-30T08:00:00Z", "2025-02-29T08:00:00Z",
            "2026-13-01T08:00:00Z", "2026-06-01T24:00:00Z", "2026-06-01T08:60:00Z", "2026-06-01T08:00:60Z",
            "2026-06-01T08:00:00+19:00", "2026-06-01T08:00:00+18:30", "2026-06-01T08:00:00+08:60",
            "2026-06-01T08:00:00+0800", "2026-06-01T08:00:00", "2026-06-01 08:00:00Z", "+12026-06-01T08:00:00Z",
            "2026-06-01T08:00:00+08:00:30", "2026-06-01T08:00:00.12", "２０２６-06-01T08:00:00Z", "");

    @Test
    void commonShapesMatchFormatter() {
        for (String text : COMMON) {
            assertNotNull(Times.parseCommon(text), text);
            assertEquals(Times.parseWithFormatter(text), Times.parseCommon(text), text);
            assertEquals(Times.parseWithFormatter(text), Times.parseOrNull(" " + text + " "), text);
        }
    }

    @Test
    void otherTextGoesToFormatter() {
        for (String text : OTHER) {
            assertNull(Times.parseCommon(text), text);
            assertEquals(Times.parseWithFormatter(text.trim()), Times.parseOrNull(text), text);
        }
    }

    @Test
    void formatRoundTrips() {
        for (String text : List.of("2026-06-01T08:00:00+08:00", "2026-06-01T08:00:00.123Z")) {
            assertEquals(text, Times.format(Times.parseOrNull(text)));
        }
    }
}
