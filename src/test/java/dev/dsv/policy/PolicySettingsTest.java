package dev.dsv.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dsv.error.DsvException;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicySettingsTest {
    private static final List<String> GATES = Policy.DEFAULT.gates();

    @Test
    void defaultSettingsAreNotStored() {
        Policy explicit = new Policy(GATES, Map.of("review.rate", new BigDecimal("0.050"), "gold.pause_days", 7));
        assertTrue(explicit.settings().isEmpty(), explicit.settings().toString());
        assertEquals(Policy.DEFAULT.version(), explicit.version());
    }

    @Test
    void defaultVersionPredatesSettings() {
        // The canonical form of a gates-only policy is {"gates":[...]}, as before settings existed.
        Policy gatesOnly = new Policy(List.of("verified", "known-vocabulary", "provenance-complete"));
        String canonical = new String(dev.dsv.model.CanonicalJson.encode(gatesOnly.toCanonical()),
                java.nio.charset.StandardCharsets.UTF_8);
        assertEquals("{\"gates\":[\"verified\",\"known-vocabulary\",\"provenance-complete\"]}", canonical);
    }

    @Test
    void changedSettingChangesVersion() {
        Policy strict = new Policy(GATES, Map.of("review.max_reject_rate", new BigDecimal("0.02")));
        assertEquals(new BigDecimal("0.02"), strict.decimal("review.max_reject_rate"));
        assertEquals(new BigDecimal("0.05"), strict.decimal("review.rate"));
        assertTrue(!strict.version().equals(Policy.DEFAULT.version()));
        assertEquals(6L, strict.integer("verifier.rotation_months"));
        assertEquals("refuse", strict.text("labeler.paused_labels"));
    }

    @Test
    void wholeNumberFromJsonDecimal() {
        Policy p = new Policy(GATES, Map.of("gold.pause_days", new BigDecimal("10")));
        assertEquals(10L, p.integer("gold.pause_days"));
        assertEquals(p.version(), new Policy(GATES, Map.of("gold.pause_days", 10L)).version());
    }

    @Test
    void unknownSettingRejected() {
        DsvException e = assertThrows(DsvException.class, () -> new Policy(GATES, Map.of("review.ratio", 1)));
        assertEquals("error.policy.unknownSetting", e.messageKey());
    }

    @Test
    void badValueRejected() {
        DsvException e = assertThrows(DsvException.class, () -> new Policy(GATES, Map.of("gold.pause_days", "a week")));
        assertEquals("error.policy.badSetting", e.messageKey());
        DsvException f = assertThrows(DsvException.class, () -> new Policy(GATES, Map.of("gold.pause_days", new BigDecimal("1.5"))));
        assertEquals("error.policy.badSetting", f.messageKey());
    }

    @Test
    void outOfRangeRejectedNamingKeyValueAndRange() {
        DsvException e = assertThrows(DsvException.class,
                () -> new Policy(GATES, Map.of("review.max_reject_rate", new BigDecimal("-1"))));
        assertEquals("error.policy.outOfRange", e.messageKey());
        assertEquals("setting review.max_reject_rate cannot be -1; allowed: from 0 to 1", e.arguments()[0]);
        assertEquals("setting gold.min_experts cannot be 0; allowed: a whole number of 1 or more",
                Policy.rangeProblem("gold.min_experts", 0L));
        assertEquals(null, Policy.rangeProblem("leakage.max_group_leaks", 0L));
        assertTrue(Policy.rangeProblem("leakage.group_key", "pattern:([").contains("pattern:(["));
        assertEquals(null, Policy.rangeProblem("leakage.group_key", "attr:module_id"));
        for (var entry : Policy.DEFAULT_SETTINGS.entrySet()) {
            assertEquals(null, Policy.rangeProblem(entry.getKey(), entry.getValue()), "default of " + entry.getKey());
        }
    }
}
