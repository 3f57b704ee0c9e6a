package dev.dsv.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Tests of the canonical JSON encoding and of the label and commit objects built on it. Expected
 * encodings are written out by hand from the rules in docs/design.md.
 */
class CanonicalJsonTest {

    private static final OffsetDateTime LABELED_AT = OffsetDateTime.of(2026, 6, 1, 8, 30, 0, 0, ZoneOffset.ofHours(8));

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static ObjectId fakeId(String text) {
        return ObjectId.fromBytes(sha256(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static List<BigDecimal> decimals(String... values) {
        return Arrays.stream(values).map(BigDecimal::new).toList();
    }

    private static LabelRecord labelWithConfidence(String confidence) {
        return new LabelRecord(fakeId("image"), List.of(), "lab-07", LABELED_AT, new BigDecimal(confidence), null);
    }

    private static LabelRecord fullLabel() {
        Defect finger = new Defect("finger", List.of(Region.polygon(List.of(
                decimals("0", "0"), decimals("10", "0"), decimals("10.1255", "10")))));
        Defect crack = new Defect("crack", List.of(Region.box(decimals("10.5", "20", "30.2505", "40.0"))));
        return new LabelRecord(fakeId("image"), List.of(finger, crack), "lab-07", LABELED_AT,
                new BigDecimal("0.9"), fakeId("old label"));
    }

    private static Commit sampleCommit() {
        return new Commit(
                fakeId("tree"),
                List.of(fakeId("parent b"), fakeId("parent a")),
                "ana",
                OffsetDateTime.of(2026, 6, 1, 0, 30, 0, 250_000_000, ZoneOffset.UTC),
                "add batch 0601",
                List.of(new CellDefect("mono", "none"), new CellDefect("mono", "crack"),
                        new CellDefect("mono", "crack"), new CellDefect("bifacial", "crack")),
                List.of("production", "customer", "production"));
    }

    @Test
    void encodeSortsKeysByCodePoint() throws IOException {
        Map<String, Object> nested = new HashMap<>();
        nested.put("y", 1);
        nested.put("x", 2);
        Map<String, Object> value = new HashMap<>();
        value.put("b", 1);
        value.put("a", nested);
        value.put("B", 1);
        value.put("z", 1);
        value.put("\u00e9", 1);
        value.put("\uFF21", 1);
        value.put("\uD83D\uDE00", 1);

        JsonNode parsed = CanonicalJson.parse(CanonicalJson.encode(value));

        // U+FF21 sorts before U+1F600 by code point, although its UTF-16 unit is larger than the
        // surrogate U+D83D.
        assertEquals(List.of("B", "a", "b", "z", "\u00e9", "\uFF21", "\uD83D\uDE00"), fieldNames(parsed));
        assertEquals(List.of("x", "y"), fieldNames(parsed.get("a")));
        assertEquals("{\"B\":1,\"a\":{\"x\":2,\"y\":1},\"b\":1,\"z\":1,\"\u00e9\":1}",
                text(CanonicalJson.encode(Map.of("z", 1, "\u00e9", 1, "b", 1, "B", 1, "a", nested))));
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void codePointOrderMatchesUtf8ByteOrder() {
        List<String> samples = List.of("", "a", "B", "ab", "\u00e9", "\uFF21", "\uD83D\uDE00", "\uD800\uDC00x", "z\u0000");
        for (String x : samples) {
            for (String y : samples) {
                int expected = Integer.signum(Arrays.compareUnsigned(utf8(x), utf8(y)));
                assertEquals(expected, Integer.signum(CanonicalJson.CODE_POINT_ORDER.compare(x, y)), x + " vs " + y);
            }
        }
    }

    @Test
    void encodeOmitsNullValues() {
        Map<String, Object> value = new HashMap<>();
        value.put("kept", "x");
        value.put("dropped", null);

        assertEquals("{\"kept\":\"x\"}", text(CanonicalJson.encode(value)));
    }

    @Test
    void nfdStringEncodesAsNfc() {
        byte[] nfd = CanonicalJson.encode(Map.of("name", "caf" + "e\u0301"));
        byte[] nfc = CanonicalJson.encode(Map.of("name", "caf\u00e9"));

        assertArrayEquals(nfc, nfd);
        assertArrayEquals(utf8("{\"name\":\"caf\u00e9\"}"), nfd);
        assertArrayEquals(utf8("{\"caf\u00e9\":1}"), CanonicalJson.encode(Map.of("caf" + "e\u0301", 1)));
    }

    @Test
    void nfdLabelerGivesSameId() {
        LabelRecord nfd = new LabelRecord(fakeId("image"), List.of(), "Jose\u0301", LABELED_AT, null, null);
        LabelRecord nfc = new LabelRecord(fakeId("image"), List.of(), "Jos\u00e9", LABELED_AT, null, null);

        assertArrayEquals(nfc.encode(), nfd.encode());
    }

    @Test
    void decimalsDropTrailingZeros() {
        assertArrayEquals(CanonicalJson.encode(new BigDecimal("1.5")), CanonicalJson.encode(new BigDecimal("1.500")));
        assertEquals("1.5", text(CanonicalJson.encode(new BigDecimal("1.500"))));
        assertEquals("1000", CanonicalJson.plain(new BigDecimal("1E+3")));
        assertEquals("0.0000001", CanonicalJson.plain(new BigDecimal("1E-7")));
        assertEquals("0", CanonicalJson.plain(new BigDecimal("0.000")));
        assertEquals("-2.5", CanonicalJson.plain(new BigDecimal("-2.50")));
        assertEquals("100", CanonicalJson.plain(new BigDecimal("100")));
        assertEquals("12", CanonicalJson.plain(new BigDecimal("12.000")));
    }

    @Test
    void confidenceRoundsHalfEvenToSixPlaces() {
        assertEquals(new BigDecimal("0.123456"), labelWithConfidence("0.1234565").confidence());
        assertEquals(new BigDecimal("0.123458"), labelWithConfidence("0.1234575").confidence());
        assertEquals(new BigDecimal("0.123457"), labelWithConfidence("0.12345650001").confidence());
        assertEquals(new BigDecimal("0.333333"), labelWithConfidence("0.3333333333").confidence());

        assertTrue(text(labelWithConfidence("0.1234565").encode()).startsWith("{\"confidence\":0.123456,"));
        assertTrue(text(labelWithConfidence("1.0000000").encode()).startsWith("{\"confidence\":1,"));
    }

    @Test
    void labelOmitsOptionalFields() {
        ObjectId image = fakeId("image");
        LabelRecord minimal = new LabelRecord(image, List.of(), "lab-07", LABELED_AT, null, null);

        String expected = "{\"image\":\"" + image.hex() + "\",\"labeled_at\":\"2026-06-01T08:30:00+08:00\","
                + "\"labeler\":\"lab-07\",\"type\":\"label\",\"v\":1}";
        String encoded = text(minimal.encode());

        assertEquals(expected, encoded);
        assertFalse(encoded.contains("confidence"));
        assertFalse(encoded.contains("supersedes"));
        assertFalse(encoded.contains("defects"));
        assertArrayEquals(sha256(utf8(expected)), sha256(minimal.encode()));
    }

    @Test
    void labelEncodingMatchesFormat() {
        LabelRecord label = fullLabel();

        // Defects are sorted by type. Coordinates are rounded half-even to 3 places, so 10.1255
        // becomes 10.126 and 30.2505 becomes 30.25.
        String expected = "{\"confidence\":0.9,\"defects\":["
                + "{\"regions\":[{\"box\":[10.5,20,30.25,40]}],\"type\":\"crack\"},"
                + "{\"regions\":[{\"polygon\":[[0,0],[10,0],[10.126,10]]}],\"type\":\"finger\"}],"
                + "\"image\":\"" + fakeId("image").hex() + "\","
                + "\"labeled_at\":\"2026-06-01T08:30:00+08:00\",\"labeler\":\"lab-07\","
                + "\"supersedes\":\"" + fakeId("old label").hex() + "\",\"type\":\"label\",\"v\":1}";
        assertEquals(expected, text(label.encode()));
    }

    @Test
    void labelRoundTripsByteIdentical() throws IOException {
        for (LabelRecord label : List.of(fullLabel(),
                new LabelRecord(fakeId("image"), List.of(), "lab-07", LABELED_AT, null, null))) {
            byte[] encoded = label.encode();

            LabelRecord decoded = LabelRecord.fromJson(CanonicalJson.parse(encoded));

            assertArrayEquals(encoded, decoded.encode(), text(encoded));
            assertEquals(label, decoded);
        }
    }

    @Test
    void commitEncodingMatchesFormat() {
        Commit commit = sampleCommit();

        String expected = "{\"committer\":\"ana\",\"message\":\"add batch 0601\","
                + "\"parents\":[\"" + fakeId("parent b").hex() + "\",\"" + fakeId("parent a").hex() + "\"],"
                + "\"sources\":[\"customer\",\"production\"],\"time\":\"2026-06-01T00:30:00.250Z\","
                + "\"touches\":[[\"bifacial\",\"crack\"],[\"mono\",\"crack\"],[\"mono\",\"none\"]],"
                + "\"tree\":\"" + fakeId("tree").hex() + "\",\"type\":\"commit\",\"v\":1}";
        assertEquals(expected, text(commit.encode()));
    }

    @Test
    void commitRoundTripsByteIdentical() throws IOException {
        Commit root = new Commit(fakeId("tree"), List.of(), "Zo\u00eb", LABELED_AT, "first",
                List.of(new CellDefect("mono", "none")), List.of("production"));
        for (Commit commit : List.of(sampleCommit(), root)) {
            byte[] encoded = commit.encode();

            Commit decoded = Commit.fromJson(CanonicalJson.parse(encoded));

            assertArrayEquals(encoded, decoded.encode(), text(encoded));
            assertEquals(commit, decoded);
        }
    }

    @Test
    void parseRejectsDuplicateKeys() {
        assertThrows(IOException.class, () -> CanonicalJson.parse(utf8("{\"a\":1,\"a\":2}")));
    }

    @Test
    void timesFormatKeepsOffset() {
        assertEquals("2026-06-01T08:30:00+08:00", Times.format(LABELED_AT));
        assertEquals("2026-06-01T03:00:00-05:30",
                Times.format(OffsetDateTime.of(2026, 6, 1, 3, 0, 0, 0, ZoneOffset.ofHoursMinutes(-5, -30))));
    }

    @Test
    void timesFormatWritesZForUtc() {
        assertEquals("2026-06-01T00:30:00Z", Times.format(OffsetDateTime.of(2026, 6, 1, 0, 30, 0, 0, ZoneOffset.UTC)));
        assertEquals("2026-06-01T00:30:00Z", Times.format(OffsetDateTime.of(2026, 6, 1, 0, 30, 0, 0, ZoneOffset.ofHours(0))));
    }

    @Test
    void timesFormatWritesMillisOnlyWhenNonZero() {
        OffsetDateTime base = OffsetDateTime.of(2026, 6, 1, 0, 30, 5, 0, ZoneOffset.UTC);

        assertEquals("2026-06-01T00:30:05Z", Times.format(base));
        assertEquals("2026-06-01T00:30:05.123Z", Times.format(base.withNano(123_000_000)));
        assertEquals("2026-06-01T00:30:05.007Z", Times.format(base.withNano(7_000_000)));
        assertEquals("2026-06-01T00:30:05Z", Times.format(base.withNano(999_999)), "below a millisecond is dropped");
    }

    @Test
    void timesParseThenFormatIsCanonical() {
        assertEquals("2026-06-01T08:30:00.500+08:00", Times.format(Times.parseOrNull("2026-06-01T08:30:00.5+08:00")));
        assertEquals("2026-06-01T08:30:00Z", Times.format(Times.parseOrNull("2026-06-01T08:30:00+00:00")));
        assertNull(Times.parseOrNull("2026-06-01 08:30"));
    }

    @Test
    void datasetPathRejectsInvalid() {
        List<String> invalid = List.of("", "/abs", "/", "a//b", "a/", "a/../b", "..", "./a", "a/.", "a\\b",
                "a\u0001b", "a\tb", "a\u007fb", "x".repeat(DatasetPath.MAX_BYTES + 1));
        for (String raw : invalid) {
            DsvException e = assertThrows(DsvException.class, () -> DatasetPath.normalize(raw), raw);
            assertEquals(ExitCode.INVALID_INPUT, e.exitCode(), raw);
            assertEquals("error.path.invalid", e.messageKey(), raw);
            assertEquals(raw, e.arguments()[0], raw);
        }
        assertThrows(DsvException.class, () -> DatasetPath.normalize(null));
    }

    @Test
    void datasetPathAcceptsValid() {
        for (String raw : List.of("a.png", "batch-0601/line3/cell0001.png", "with space/x.png", "...x/a..b",
                "x".repeat(DatasetPath.MAX_BYTES))) {
            assertEquals(raw, DatasetPath.normalize(raw));
        }
    }

    @Test
    void datasetPathNormalizesToNfc() {
        assertEquals("caf\u00e9/x.png", DatasetPath.normalize("caf" + "e\u0301/x.png"));
        assertEquals("\uAC00.png", DatasetPath.normalize("\u1100\u1161.png"));
    }

    @Test
    void datasetPathRejectsC1AndLoneSurrogates() {
        for (String raw : List.of("a\u0085b", "a\u009fb", "a\uD800b", "a\uDC00", "\uD842")) {
            DsvException e = assertThrows(DsvException.class, () -> DatasetPath.normalize(raw), raw);
            assertEquals("error.path.invalid", e.messageKey(), raw);
        }
        assertEquals("\uD842\uDFB7.png", DatasetPath.normalize("\uD842\uDFB7.png"));
    }

    @Test
    void supplementaryCharactersEncodeAsUtf8() {
        byte[] bytes = CanonicalJson.encode(java.util.Map.of("name", "\uD842\uDFB7.png"));
        String expected = "{\"name\":\"\uD842\uDFB7.png\"}";
        assertEquals(expected, new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(expected.getBytes(java.nio.charset.StandardCharsets.UTF_8).length, bytes.length);
    }

    @Test
    void firstCommitOmitsEmptyLists() {
        Commit c = new Commit(ObjectId.fromBytes(new byte[32]), List.of(), "qa", Times.parseOrNull("2026-06-01T08:00:00Z"),
                "first", List.of(), List.of());
        String text = new String(c.encode(), java.nio.charset.StandardCharsets.UTF_8);
        assertFalse(text.contains("parents"), text);
        assertFalse(text.contains("touches"), text);
        assertFalse(text.contains("sources"), text);
    }

    @Test
    void timesRejectsOffsetSeconds() {
        assertNull(Times.parseOrNull("2026-06-01T08:30:00+05:30:15"));
        assertEquals("2026-06-01T08:30:00+05:30", Times.format(Times.parseOrNull("2026-06-01T08:30:00+05:30")));
    }
}
