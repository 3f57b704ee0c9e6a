package dev.dsv.model;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.text.Normalizer;
import java.util.Collection;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;

/**
 * The canonical JSON encoding of objects: UTF-8, no whitespace, keys sorted by their UTF-8 bytes,
 * strings in Unicode NFC, numbers as integers or plain decimals without trailing zeros, and no
 * null values. Equal values always encode to equal bytes, which is what makes ids stable.
 */
public final class CanonicalJson {
    /** Orders strings by Unicode code point, which equals the order of their UTF-8 bytes. */
    public static final Comparator<String> CODE_POINT_ORDER = CanonicalJson::compareCodePoints;

    /**
     * Writes characters outside the Basic Multilingual Plane as raw UTF-8 like every other
     * character; Jackson's default would escape them as surrogate pairs.
     */
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.json.JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
            .build();
    private static final ObjectMapper READER = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    private CanonicalJson() {
    }

    /**
     * Compares by code point without decoding. UTF-16 order differs from code point order only
     * between surrogates (U+D800-DFFF) and U+E000-FFFF, so those two ranges are swapped before
     * comparing the first differing chars.
     */
    static int compareCodePoints(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y) {
                return codePointRank(x) - codePointRank(y);
            }
        }
        return a.length() - b.length();
    }

    private static int codePointRank(char c) {
        if (c < 0xD800) {
            return c;
        }
        return c >= 0xE000 ? c - 0x800 : c + 0x2000;
    }

    /** Returns a new map whose iteration order is the canonical key order. */
    public static <V> TreeMap<String, V> newObject() {
        return new TreeMap<>(CODE_POINT_ORDER);
    }

    /**
     * Encodes a value made of maps with string keys, collections, strings, integers, BigDecimals
     * and booleans. Null values and map entries with null values are omitted.
     */
    public static byte[] encode(Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator gen = FACTORY.createGenerator(out)) {
            write(gen, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void write(JsonGenerator gen, Object value) throws IOException {
        if (value instanceof Map<?, ?> map) {
            TreeMap<String, Object> sorted = newObject();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (e.getValue() != null) {
                    sorted.put(nfc((String) e.getKey()), e.getValue());
                }
            }
            gen.writeStartObject();
            for (Map.Entry<String, Object> e : sorted.entrySet()) {
                gen.writeFieldName(e.getKey());
                write(gen, e.getValue());
            }
            gen.writeEndObject();
        } else if (value instanceof Collection<?> list) {
            gen.writeStartArray();
            for (Object item : list) {
                write(gen, item);
            }
            gen.writeEndArray();
        } else if (value instanceof String s) {
            gen.writeString(nfc(s));
        } else if (value instanceof Integer || value instanceof Long) {
            gen.writeNumber(((Number) value).longValue());
        } else if (value instanceof BigDecimal d) {
            gen.writeNumber(plain(d));
        } else if (value instanceof Boolean b) {
            gen.writeBoolean(b);
        } else if (value instanceof ObjectId id) {
            gen.writeString(id.hex());
        } else {
            throw new IllegalArgumentException("cannot encode " + value.getClass().getName());
        }
    }

    /** Returns the canonical text of a decimal: plain notation, no trailing zeros. */
    /**
     * Rounds half-even to {@code scale} decimal places. A value too small to reach the last place
     * rounds to zero at once: rounding 1E-999999999 the usual way first builds a power of ten with a
     * billion digits, which a hostile input file could use to stop dsv.
     */
    public static BigDecimal round(BigDecimal v, int scale) {
        if (v.signum() == 0 || v.precision() - v.scale() < -scale) {
            return BigDecimal.ZERO.setScale(scale);
        }
        return v.setScale(scale, java.math.RoundingMode.HALF_EVEN);
    }

    /**
     * Returns true when a number read from a file has at most 100 digits before and after the point,
     * so that it can be written out in plain form. Inputs check their numbers with this before
     * storing them.
     */
    public static boolean isModest(BigDecimal d) {
        return d.scale() <= 100 && d.precision() - d.scale() <= 100;
    }

    /** Returns true when {@code v} is a JSON number that {@link #isModest} accepts. */
    public static boolean isModestNumber(JsonNode v) {
        if (v == null || !v.isNumber()) {
            return false;
        }
        try {
            return isModest(v.decimalValue());
        } catch (NumberFormatException e) {
            // A double that overflowed to infinity.
            return false;
        }
    }

    /**
     * Parses a decimal number from text; a number that {@link #isModest} refuses is a
     * {@link NumberFormatException} like any other text that is not a number.
     */
    public static BigDecimal parseModest(String text) {
        BigDecimal d = new BigDecimal(text);
        if (!isModest(d)) {
            throw new NumberFormatException("more than 100 digits: " + text);
        }
        return d;
    }

    public static String plain(BigDecimal d) {
        BigDecimal stripped = d.stripTrailingZeros();
        if (stripped.scale() < 0) {
            stripped = stripped.setScale(0);
        }
        return stripped.toPlainString();
    }

    /** Parses JSON bytes into a tree, with decimals kept as BigDecimal. */
    public static JsonNode parse(byte[] bytes) throws IOException {
        return READER.readTree(bytes);
    }

    /**
     * Returns the NFC form of a string. Text without characters from U+0300 up (no combining
     * marks, no Hangul jamo) is already NFC, so the common case skips the normalizer.
     */
    public static String nfc(String s) {
        boolean simple = true;
        for (int i = 0; i < s.length() && simple; i++) {
            simple = s.charAt(i) < 0x300;
        }
        if (simple || Normalizer.isNormalized(s, Normalizer.Form.NFC)) {
            return s;
        }
        return Normalizer.normalize(s, Normalizer.Form.NFC);
    }
}
