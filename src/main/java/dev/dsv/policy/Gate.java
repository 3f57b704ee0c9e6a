package dev.dsv.policy;

/**
 * One promote gate. A gate is a class plus a name in the policy; adding a gate means one new
 * class and its name in {@link Gates}. A gate only reads: it never changes the repository.
 */
public interface Gate {
    /** The name used in policies and reports. */
    String name();

    /** Judges the candidate snapshot. */
    GateResult check(PromotionCandidate candidate);
}
