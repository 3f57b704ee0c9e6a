package dev.dsv.policy;

import java.util.List;

/**
 * A gate's verdict: passed or not, the rule it applied (with its threshold), how many items it
 * checked, and the offending items (at most {@link #MAX_LISTED}, with the total count).
 */
public record GateResult(String gate, boolean passed, String rule, int checked, int offending, List<String> examples) {
    public static final int MAX_LISTED = 20;

    public GateResult {
        examples = List.copyOf(examples.size() > MAX_LISTED ? examples.subList(0, MAX_LISTED) : examples);
    }
}
