package dev.dsv.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A feature vector of one image (an embedding from the user's pipeline), stored as a
 * {@code vector} object. Values are kept as decimals rounded half-even to
 * {@link #SIGNIFICANT_DIGITS} significant digits, enough to carry every IEEE 754 binary32 value
 * exactly; see docs/design.md, "Feature vectors and format version 3".
 */
public record FeatureVector(List<BigDecimal> values) {
    public static final int VERSION = 1;
    public static final int MAX_DIMENSIONS = 65_536;
    public static final int SIGNIFICANT_DIGITS = 9;
    /** The largest finite binary32 value; a larger magnitude is rejected. */
    public static final BigDecimal MAX_MAGNITUDE = new BigDecimal("3.4028235e38");
    /** Magnitudes below this bound, which is under the smallest binary32 subnormal (about 1.4e-45), are stored as zero. */
    public static final BigDecimal MIN_MAGNITUDE = new BigDecimal("1e-45");
    /** Feature-set names: lowercase ASCII letters, digits, '.', '_' and '-', 1 to 64 characters. */
    public static final Pattern SET_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    private static final MathContext ROUNDING = new MathContext(SIGNIFICANT_DIGITS, RoundingMode.HALF_EVEN);

    public FeatureVector {
        if (values.isEmpty() || values.size() > MAX_DIMENSIONS) {
            throw new IllegalArgumentException("a feature vector has 1 to " + MAX_DIMENSIONS + " values, not "
                    + values.size());
        }
        values = Collections.unmodifiableList(new ArrayList<>(values));
    }

    public int dimensions() {
        return values.size();
    }

    /**
     * Returns the canonical form of one input value: rounded to 9 significant digits, zero for
     * magnitudes below {@link #MIN_MAGNITUDE}. Throws {@link IllegalArgumentException} for a
     * magnitude above {@link #MAX_MAGNITUDE}.
     */
    public static BigDecimal canonicalValue(BigDecimal raw) {
        BigDecimal magnitude = raw.abs();
        if (magnitude.compareTo(MAX_MAGNITUDE) > 0) {
            throw new IllegalArgumentException("out of range");
        }
        if (magnitude.compareTo(MIN_MAGNITUDE) < 0) {
            return BigDecimal.ZERO;
        }
        return new BigDecimal(CanonicalJson.plain(raw.round(ROUNDING)));
    }

    /** Parses one input value given as text; throws {@link NumberFormatException} when it is no finite decimal. */
    public static BigDecimal parseValue(String text) {
        String t = text.strip();
        if (t.isEmpty() || !t.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d{1,4})?")) {
            throw new NumberFormatException(text);
        }
        return canonicalValue(new BigDecimal(t));
    }

    public Map<String, Object> toCanonical() {
        Map<String, Object> m = CanonicalJson.newObject();
        m.put("type", ObjectType.VECTOR.jsonName());
        m.put("v", VERSION);
        m.put("dimensions", values.size());
        m.put("values", values);
        return m;
    }

    public byte[] encode() {
        return CanonicalJson.encode(toCanonical());
    }

    /**
     * Decodes a vector object. Throws {@link IllegalArgumentException} on a wrong type or version,
     * a dimension count that differs from the values, or a value that is not canonical; the caller
     * then compares the re-encoding with the stored bytes.
     */
    public static FeatureVector fromJson(JsonNode n) {
        if (!ObjectType.VECTOR.jsonName().equals(n.path("type").asText()) || n.path("v").asInt(-1) != VERSION) {
            throw new IllegalArgumentException("not a version " + VERSION + " vector");
        }
        JsonNode array = n.path("values");
        if (!array.isArray() || n.path("dimensions").asInt(-1) != array.size()) {
            throw new IllegalArgumentException("dimensions do not match the values");
        }
        List<BigDecimal> values = new ArrayList<>(array.size());
        for (JsonNode v : array) {
            if (!v.isNumber()) {
                throw new IllegalArgumentException("a value is not a number");
            }
            BigDecimal d = v.decimalValue();
            if (d.compareTo(canonicalValue(d)) != 0) {
                throw new IllegalArgumentException("a value has more than " + SIGNIFICANT_DIGITS + " significant digits");
            }
            values.add(d);
        }
        return new FeatureVector(values);
    }
}
