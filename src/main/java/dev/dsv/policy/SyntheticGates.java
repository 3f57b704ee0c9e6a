package dev.dsv.policy;

import dev.dsv.model.Defect;
import dev.dsv.model.ImageEntry;
import dev.dsv.model.ObjectId;
import java.util.ArrayList;
import java.util.List;

/**
 * The gates of the synthetic-data rules. Each reads the whole merged snapshot; the counts of one
 * snapshot are computed once and shared by the three gates of a promotion.
 */
final class SyntheticGates {
    private SyntheticGates() {
    }

    /** The counts of the last snapshot counted, keyed by its tree id (trees are content addressed). */
    private static ObjectId countedTree;
    private static SyntheticClassCounts counted;

    static synchronized SyntheticClassCounts counts(PromotionCandidate c) {
        ObjectId tree = c.snapshot().tree();
        if (tree.equals(countedTree)) {
            return counted;
        }
        SyntheticClassCounts counts = new SyntheticClassCounts();
        c.snapshot().forEachImage((path, e) -> counts.add(path, e.cellType(), defectTypes(c, e), e.split(), e.source(),
                e.generator()));
        countedTree = tree;
        counted = counts;
        return counts;
    }

    private static List<String> defectTypes(PromotionCandidate c, ImageEntry e) {
        if (!SyntheticClassCounts.needsDefects(e.split(), e.source())) {
            return null;
        }
        List<String> types = new ArrayList<>();
        for (Defect d : c.labels().apply(e.label()).defects()) {
            types.add(d.type());
        }
        return types;
    }

    /** In every class of the train split, synthetic images are at most synthetic.max_ratio. */
    static final class Ratio implements Gate {
        @Override
        public String name() {
            return "synthetic-ratio";
        }

        @Override
        public GateResult check(PromotionCandidate c) {
            return counts(c).ratio(name(), c.targetPolicy().decimal("synthetic.max_ratio"));
        }
    }

    /** The test split contains no synthetic image. */
    static final class TestIsReal implements Gate {
        @Override
        public String name() {
            return "test-is-real";
        }

        @Override
        public GateResult check(PromotionCandidate c) {
            return counts(c).testIsReal(name());
        }
    }

    /** The synthetic images of every class come from at least synthetic.min_generators generators. */
    static final class GeneratorDiversity implements Gate {
        @Override
        public String name() {
            return "generator-diversity";
        }

        @Override
        public GateResult check(PromotionCandidate c) {
            return counts(c).diversity(name(), c.targetPolicy().integer("synthetic.min_generators"));
        }
    }
}
