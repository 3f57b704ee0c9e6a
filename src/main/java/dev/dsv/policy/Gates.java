package dev.dsv.policy;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.model.Defect;
import dev.dsv.model.LabelRecord;
import dev.dsv.model.ObjectId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The registry of gates, by name. */
public final class Gates {
    private static final Map<String, Gate> ALL = new LinkedHashMap<>();

    static {
        register(new Verified());
        register(new KnownVocabulary());
        register(new ProvenanceComplete());
        register(new LabelersInGoodStanding());
        register(new SyntheticGates.Ratio());
        register(new SyntheticGates.TestIsReal());
        register(new SyntheticGates.GeneratorDiversity());
        register(new LeakageGates.ExactDuplicates());
        register(new LeakageGates.NearDuplicates());
        register(new LeakageGates.GroupLeakage());
        register(new LeakageGates.GeneratorLeakage());
    }

    private Gates() {
    }

    private static void register(Gate gate) {
        ALL.put(gate.name(), gate);
    }

    /** Returns the gate with that name, or throws invalid input listing the known ones. */
    public static Gate named(String name) {
        Gate g = ALL.get(name);
        if (g == null) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.policy.unknownGate", name, String.join(", ", ALL.keySet()));
        }
        return g;
    }

    /** Every commit being promoted is verified by sampled review (see docs/design.md, "Sampled review"). */
    static final class Verified implements Gate {
        @Override
        public String name() {
            return "verified";
        }

        @Override
        public GateResult check(PromotionCandidate c) {
            List<String> missing = new ArrayList<>();
            for (ObjectId id : c.commits()) {
                if (!c.verifiedCommits().contains(id)) {
                    missing.add(id.hex() + ": " + c.reviewStatus().getOrDefault(id, "pending"));
                }
            }
            return new GateResult(name(), missing.isEmpty(), "every promoted commit is verified by sampled review"
                    + " (review.max_reject_rate " + c.targetPolicy().decimal("review.max_reject_rate").toPlainString()
                    + "; dsv review status)", c.commits().size(), missing.size(), missing);
        }
    }

    /** Every added or changed image has a configured cell type and configured defect types. */
    static final class KnownVocabulary implements Gate {
        @Override
        public String name() {
            return "known-vocabulary";
        }

        @Override
        public GateResult check(PromotionCandidate c) {
            List<String> bad = new ArrayList<>();
            c.changedImages().forEach((path, e) -> {
                if (e == null) {
                    return;
                }
                if (c.config().cellTypes().lookup(e.cellType()) == null) {
                    bad.add(path + ": cell type " + e.cellType());
                    return;
                }
                for (Defect d : c.labels().apply(e.label()).defects()) {
                    if (c.config().defectTypes().lookup(d.type()) == null) {
                        bad.add(path + ": defect " + d.type());
                        return;
                    }
                }
            });
            return new GateResult(name(), bad.isEmpty(), "cell types and defect types are in .dsv/config.json",
                    c.changedImages().size(), bad.size(), bad);
        }
    }

    /** Every added or changed image has a source, and its label record a labeler and a time. */
    static final class ProvenanceComplete implements Gate {
        @Override
        public String name() {
            return "provenance-complete";
        }

        @Override
        public GateResult check(PromotionCandidate c) {
            List<String> bad = new ArrayList<>();
            c.changedImages().forEach((path, e) -> {
                if (e == null) {
                    return;
                }
                LabelRecord label = c.labels().apply(e.label());
                if (e.source() == null || e.source().isBlank()) {
                    bad.add(path + ": no source");
                } else if (label.labeler() == null || label.labeler().isBlank()) {
                    bad.add(path + ": no labeler");
                } else if (label.labeledAt() == null) {
                    bad.add(path + ": no labeled-at time");
                }
            });
            return new GateResult(name(), bad.isEmpty(), "every image has a source, every label a labeler and a time",
                    c.changedImages().size(), bad.size(), bad);
        }
    }

    /**
     * Compares the candidate branch's policy, which enters the target with the promotion, with the
     * target's. Added gates (tightening) pass. A removed gate or any changed setting fails unless
     * the user accepted the change ({@code dsv promote --accept-policy-change}), so no branch can
     * weaken a protected branch's gates by accident.
     */
    public static GateResult policyChange(PromotionCandidate c, boolean accepted) {
        Policy target = c.targetPolicy();
        Policy candidate = c.candidatePolicy();
        List<String> weaker = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (String g : target.gates()) {
            if (!candidate.gates().contains(g)) {
                weaker.add("removes gate " + g);
            }
        }
        Map<String, Object> before = target.effectiveSettings();
        candidate.effectiveSettings().forEach((k, v) -> {
            if (!v.equals(before.get(k))) {
                weaker.add("changes setting " + k + ": " + before.get(k) + " -> " + v);
            }
        });
        for (String g : candidate.gates()) {
            if (!target.gates().contains(g)) {
                notes.add("adds gate " + g);
            }
        }
        List<String> examples = new ArrayList<>(weaker);
        examples.addAll(notes);
        if (!examples.isEmpty()) {
            examples.add(weaker.isEmpty() || !accepted
                    ? "the candidate's policy is in force on " + c.target() + " after this promotion"
                    : "accepted with --accept-policy-change; the candidate's policy is in force on " + c.target()
                            + " after this promotion");
        }
        String rule = "no gate of " + c.target() + "'s policy is removed and no setting changes"
                + " (or --accept-policy-change)";
        return new GateResult("policy-change", weaker.isEmpty() || accepted, rule,
                target.gates().size() + Policy.DEFAULT_SETTINGS.size(), weaker.size(), examples);
    }

    /** Returns the names of all known gates. */
    public static List<String> names() {
        return new ArrayList<>(ALL.keySet());
    }
}
