package dev.dsv.policy;

import dev.dsv.leakage.GroupKey;
import dev.dsv.leakage.LeakageCheck;
import dev.dsv.leakage.LeakageScan;
import dev.dsv.leakage.SplitFinding;
import dev.dsv.service.Progress;
import java.util.ArrayList;
import java.util.List;

/**
 * The four leakage gates. Each checks the whole merged snapshot, because a leak is a relation
 * between an image already on the target and one the promotion brings.
 */
final class LeakageGates {
    private LeakageGates() {
    }

    private static LeakageScan scan(PromotionCandidate c, GroupKey key) {
        return LeakageCheck.scan(c.snapshot()::forEachImage, c.config().splits().values(), key);
    }

    private static List<String> describe(List<SplitFinding> findings, String what) {
        List<String> out = new ArrayList<>();
        for (SplitFinding f : findings) {
            if (out.size() == GateResult.MAX_LISTED) {
                break;
            }
            out.add(what + " " + f.key() + ": " + f.imagesBySplit() + " " + f.examples());
        }
        return out;
    }

    /** No blob is at paths in two splits (beyond {@code leakage.max_exact_duplicates}). */
    static final class ExactDuplicates implements Gate {
        @Override
        public String name() {
            return "exact-duplicates";
        }

        @Override
        public GateResult check(PromotionCandidate c) {
            long allowed = c.targetPolicy().integer("leakage.max_exact_duplicates");
            LeakageScan scan = scan(c, null);
            List<SplitFinding> found = scan.exactDuplicates();
            return new GateResult(name(), found.size() <= allowed,
                    "at most " + allowed + " images (blobs) in more than one split",
                    scan.blobs().size(), found.size(), describe(found, "blob"));
        }
    }

    /** No generator has images in two splits (beyond {@code leakage.max_generator_leaks}). */
    static final class GeneratorLeakage implements Gate {
        @Override
        public String name() {
            return "generator-leakage";
        }

        @Override
        public GateResult check(PromotionCandidate c) {
            long allowed = c.targetPolicy().integer("leakage.max_generator_leaks");
            LeakageScan scan = scan(c, null);
            List<SplitFinding> found = scan.generatorLeaks();
            return new GateResult(name(), found.size() <= allowed,
                    "at most " + allowed + " generators with images in more than one split",
                    scan.imagesInSplits(), found.size(), describe(found, "generator"));
        }
    }

    /** No group key value is in two splits (beyond {@code leakage.max_group_leaks}); needs {@code leakage.group_key}. */
    static final class GroupLeakage implements Gate {
        @Override
        public String name() {
            return "group-leakage";
        }

        @Override
        public GateResult check(PromotionCandidate c) {
            String spec = c.targetPolicy().text("leakage.group_key");
            if (spec.isBlank()) {
                return new GateResult(name(), false, "a group key is set (policy setting leakage.group_key,"
                        + " attr:NAME or pattern:REGEX)", 0, 1, List.of("leakage.group_key is not set"));
            }
            long allowed = c.targetPolicy().integer("leakage.max_group_leaks");
            LeakageScan scan = scan(c, GroupKey.parse(spec));
            List<SplitFinding> found = scan.groupLeaks();
            return new GateResult(name(), found.size() <= allowed,
                    "at most " + allowed + " values of " + spec + " in more than one split",
                    scan.groupCount(), found.size(), describe(found, "group"));
        }
    }

    /**
     * No two blobs in different splits are near copies (beyond {@code leakage.max_near_duplicates});
     * computes missing descriptors first, which writes the descriptor cache (never the repository).
     */
    static final class NearDuplicates implements Gate {
        @Override
        public String name() {
            return "near-duplicates";
        }

        @Override
        public GateResult check(PromotionCandidate c) {
            long allowed = c.targetPolicy().integer("leakage.max_near_duplicates");
            double min = c.targetPolicy().decimal("leakage.near_min_correlation").doubleValue();
            double minResidual = c.targetPolicy().decimal("leakage.near_min_residual").doubleValue();
            LeakageScan scan = scan(c, null);
            LeakageCheck.NearReport near = LeakageCheck.near(scan, c.repository().store(), c.repository().dsvDir(), min,
                    minResidual, Progress.NONE);
            List<String> examples = new ArrayList<>();
            for (LeakageCheck.NearDuplicate p : near.pairs()) {
                if (examples.size() == GateResult.MAX_LISTED) {
                    break;
                }
                examples.add(String.format(java.util.Locale.ROOT, "%.3f/%s %s %s ~ %s %s", p.correlation(),
                        p.residual() == null ? "-" : String.format(java.util.Locale.ROOT, "%.3f", p.residual()),
                        p.a().split(), p.a().path(), p.b().split(), p.b().path()));
            }
            boolean undecodable = near.descriptors().failed() > 0;
            for (var f : near.descriptors().failures().entrySet()) {
                if (examples.size() < GateResult.MAX_LISTED) {
                    examples.add("blob " + f.getKey().hex() + " cannot be decoded: " + f.getValue());
                }
            }
            return new GateResult(name(), near.pairs().size() <= allowed && !undecodable,
                    "at most " + allowed + " pairs of images in different splits with correlation >= " + min
                            + " and residual correlation >= " + minResidual + ", and every image decodable",
                    near.search().blobs(), near.pairs().size() + near.descriptors().failed(), examples);
        }
    }
}
