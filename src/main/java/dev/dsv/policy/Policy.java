package dev.dsv.policy;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.model.CanonicalJson;
import dev.dsv.model.ObjectId;
import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * The promotion policy of a branch: the gates a promotion into it must pass, and the settings
 * (thresholds, periods, choices) that gates and quality commands read. Stored as a metadata log
 * record (kind "policy"), so a policy is a fact about a branch, never part of a commit. Its
 * version is the SHA-256 of its canonical form, which promotion records pin. Only settings that
 * differ from {@link #DEFAULT_SETTINGS} are stored, so a policy without any keeps its old version.
 */
public record Policy(List<String> gates, Map<String, Object> settings) {
    /**
     * The setting that decides whether promotions into a branch, rollbacks on it and review
     * decisions judged by its policy must carry a valid signature: {@code optional} or
     * {@code required}.
     */
    public static final String SIGNATURES = "signing.signatures";

    /** Every setting a policy may hold, with its default. docs/cli.md lists their meaning. */
    public static final Map<String, Object> DEFAULT_SETTINGS;

    static {
        Map<String, Object> d = new LinkedHashMap<>();
        // Sampled verification (dsv review).
        d.put("review.rate", new BigDecimal("0.05"));
        d.put("review.max_reject_rate", new BigDecimal("0.05"));
        // Verifier rotation and labeler standing (dsv people).
        d.put("verifier.rotation_months", 6L);
        d.put("verifier.grace_days", 14L);
        d.put("labeler.paused_labels", "refuse");
        // Gold set and monthly labeler tests (dsv gold).
        d.put("gold.min_experts", 5L);
        d.put("gold.min_agreement", new BigDecimal("1.0"));
        d.put("gold.pass_mark", new BigDecimal("0.90"));
        d.put("gold.pause_days", 7L);
        // Synthetic data (dsv check, promote, export).
        d.put("synthetic.max_ratio", new BigDecimal("0.30"));
        d.put("synthetic.min_generators", 3L);
        // Leakage between splits (dsv leakage, promote). The gate list turns each check on or off.
        d.put("leakage.max_exact_duplicates", 0L);
        d.put("leakage.max_near_duplicates", 0L);
        d.put("leakage.near_min_correlation", new BigDecimal("0.85"));
        d.put("leakage.near_min_residual", new BigDecimal("0.75"));
        d.put("leakage.max_group_leaks", 0L);
        d.put("leakage.group_key", "");
        d.put("leakage.max_generator_leaks", 0L);
        // Signed promotions, rollbacks and review decisions (dev.dsv.trust).
        d.put(SIGNATURES, "optional");
        DEFAULT_SETTINGS = Collections.unmodifiableMap(d);
    }

    /** The allowed values of text settings that take one of a fixed list. */
    private static final Map<String, List<String>> CHOICES = Map.of(
            "labeler.paused_labels", List.of("refuse", "full-review"),
            SIGNATURES, List.of("optional", "required"));

    /**
     * The gates every new repository starts with. The synthetic-data gates are in it because they
     * pass on a library without synthetic images and guard the test split and the real-first
     * ratio as soon as synthetic images arrive. The two leakage gates in it read only the tree, so
     * they cost one walk of the snapshot.
     */
    public static final Policy DEFAULT = new Policy(List.of("verified", "known-vocabulary", "provenance-complete",
            "labelers-in-good-standing", "synthetic-ratio", "test-is-real", "generator-diversity",
            "exact-duplicates", "generator-leakage"), Map.of());

    public Policy {
        gates = List.copyOf(gates);
        Map<String, Object> kept = new TreeMap<>();
        settings.forEach((k, v) -> {
            if (!DEFAULT_SETTINGS.containsKey(k)) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.policy.unknownSetting", k,
                        String.join(", ", DEFAULT_SETTINGS.keySet()));
            }
            Object value = normalise(k, v);
            String problem = rangeProblem(k, value);
            if (problem != null) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.policy.outOfRange", problem);
            }
            Object def = DEFAULT_SETTINGS.get(k);
            boolean isDefault = value instanceof BigDecimal b ? b.compareTo((BigDecimal) def) == 0 : value.equals(def);
            if (!isDefault) {
                kept.put(k, value);
            }
        });
        settings = Collections.unmodifiableMap(kept);
    }

    /** A policy with only gates and default settings. */
    public Policy(List<String> gates) {
        this(gates, Map.of());
    }

    /** Returns a copy with other gates and the same settings. */
    public Policy withGates(List<String> newGates) {
        return new Policy(newGates, settings);
    }

    /** Settings that are shares or rates: at least 0 and at most 1. */
    private static final List<String> SHARES = List.of("review.max_reject_rate", "gold.min_agreement",
            "gold.pass_mark", "synthetic.max_ratio", "leakage.near_min_correlation",
            "leakage.near_min_residual");

    /** Settings that are limits on offending items: 0 or more. Grace periods count here too. */
    private static final List<String> ZERO_OR_MORE = List.of("verifier.grace_days", "leakage.max_exact_duplicates",
            "leakage.max_near_duplicates", "leakage.max_group_leaks", "leakage.max_generator_leaks");

    /**
     * Returns what is wrong with a setting's value (already of its default's type), naming the
     * key, the value and the allowed range, or null when the value is allowed.
     */
    public static String rangeProblem(String key, Object value) {
        String allowed = null;
        if (value instanceof BigDecimal d) {
            if (key.equals("review.rate")) {
                allowed = d.signum() > 0 && d.compareTo(BigDecimal.ONE) <= 0 ? null : "more than 0 and at most 1";
            } else if (SHARES.contains(key)) {
                allowed = d.signum() >= 0 && d.compareTo(BigDecimal.ONE) <= 0 ? null : "from 0 to 1";
            }
        } else if (value instanceof Long n) {
            if (ZERO_OR_MORE.contains(key)) {
                allowed = n >= 0 ? null : "a whole number of 0 or more";
            } else {
                allowed = n >= 1 ? null : "a whole number of 1 or more";
            }
        } else if (key.equals("leakage.group_key")) {
            return groupKeyProblem(String.valueOf(value));
        }
        return allowed == null ? null : "setting " + key + " cannot be " + plain(value) + "; allowed: " + allowed;
    }

    private static String plain(Object value) {
        return value instanceof BigDecimal d ? d.stripTrailingZeros().toPlainString() : String.valueOf(value);
    }

    private static String groupKeyProblem(String spec) {
        String allowed = "empty (no group key), attr:NAME or pattern:REGEX with a valid regular expression";
        if (spec.isEmpty()) {
            return null;
        }
        if (spec.startsWith("attr:") && !spec.substring(5).isBlank()) {
            return null;
        }
        if (spec.startsWith("pattern:") && !spec.substring(8).isEmpty()) {
            try {
                java.util.regex.Pattern.compile(spec.substring(8));
                return null;
            } catch (java.util.regex.PatternSyntaxException e) {
                return "setting leakage.group_key cannot be \"" + spec + "\" (" + e.getDescription()
                        + " at index " + e.getIndex() + " of the regular expression); allowed: " + allowed;
            }
        }
        return "setting leakage.group_key cannot be \"" + spec + "\"; allowed: " + allowed;
    }

    /** Brings a value to the type of its default, or throws invalid input naming the key. */
    private static Object normalise(String key, Object value) {
        Object def = DEFAULT_SETTINGS.get(key);
        try {
            if (def instanceof BigDecimal) {
                BigDecimal d = value instanceof BigDecimal b ? b : new BigDecimal(String.valueOf(value));
                return d.stripTrailingZeros().scale() <= 0 ? d.setScale(1) : d.stripTrailingZeros();
            }
            if (def instanceof Long) {
                if (value instanceof Number n && new BigDecimal(n.toString()).stripTrailingZeros().scale() <= 0) {
                    return n.longValue();
                }
                return Long.parseLong(String.valueOf(value));
            }
        } catch (NumberFormatException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.policy.badSetting", key, value, def);
        }
        if (!(value instanceof String)) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.policy.badSetting", key, value, def);
        }
        List<String> choices = CHOICES.get(key);
        if (choices != null && !choices.contains(value)) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.policy.badChoice", key, value, String.join(", ", choices));
        }
        return value;
    }

    /** Returns a decimal setting, or its default. */
    public BigDecimal decimal(String key) {
        return (BigDecimal) value(key);
    }

    /** Returns a whole-number setting, or its default. */
    public long integer(String key) {
        return (Long) value(key);
    }

    /** Returns a text setting, or its default. */
    public String text(String key) {
        return (String) value(key);
    }

    private Object value(String key) {
        if (!DEFAULT_SETTINGS.containsKey(key)) {
            throw new IllegalArgumentException("unknown policy setting " + key);
        }
        return settings.getOrDefault(key, DEFAULT_SETTINGS.get(key));
    }

    /** Returns every setting with its value in force (stored or default), in the order of the defaults. */
    public Map<String, Object> effectiveSettings() {
        Map<String, Object> out = new LinkedHashMap<>();
        DEFAULT_SETTINGS.forEach((k, v) -> out.put(k, settings.getOrDefault(k, v)));
        return out;
    }

    public Map<String, Object> toCanonical() {
        Map<String, Object> m = CanonicalJson.newObject();
        m.put("gates", gates);
        if (!settings.isEmpty()) {
            Map<String, Object> s = CanonicalJson.newObject();
            s.putAll(settings);
            m.put("settings", s);
        }
        return m;
    }

    /** Returns the policy version: the SHA-256 of its canonical encoding. */
    public ObjectId version() {
        return ObjectId.fromBytes(DigestUtils.sha256(CanonicalJson.encode(toCanonical())));
    }
}
