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

    /** Reports a difference between the candidate branch's policy and the target's; its result always passes. */
    public static GateResult policyChange(PromotionCandidate c) {
        boolean same = c.targetPolicy().equals(c.candidatePolicy());
        List<String> note = same ? List.of() : List.of("target " + c.targetPolicy().gates() + " -> candidate "
                + c.candidatePolicy().gates() + " (in force on " + c.target() + " after this promotion)");
        return new GateResult("policy-change", true, "a policy change is reported and enters with the promotion",
                1, same ? 0 : 1, note);
    }

    /** Returns the names of all known gates. */
    public static List<String> names() {
        return new ArrayList<>(ALL.keySet());
    }
}
