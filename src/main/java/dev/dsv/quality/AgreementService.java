package dev.dsv.quality;

import dev.dsv.model.ObjectId;
import dev.dsv.quality.JudgementSource.ImageJudgements;
import dev.dsv.quality.JudgementSource.Judgement;
import dev.dsv.quality.JudgementSource.Kind;
import dev.dsv.service.Session;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Agreement between raters on the images of a revision: Cohen's kappa per pair of raters,
 * Fleiss' kappa and Krippendorff's alpha, overall and optionally per month, cell type or defect
 * type. Images stream by one at a time, so memory keeps the accumulators, not the images.
 */
public final class AgreementService {
    /** The grouping of units into reported groups. */
    public enum By {
        NONE, MONTH, CELL_TYPE, DEFECT;

        /** Returns the option value: {@code month}, {@code cell-type} or {@code defect}; null for none. */
        public String optionName() {
            return this == NONE ? null : name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    /** Cohen's kappa of one pair of raters (names in code point order). */
    public record Pair(String raterA, String raterB, double observedAgreement, Estimate kappa) {
    }

    /**
     * The figures of one group of units. {@code units}: images (or image-months) with at least
     * one categorised judgement; {@code sharedUnits}: those with two or more raters;
     * {@code rejects}: rejecting review decisions, which carry no category and are left out.
     */
    public record Group(String key, long units, long sharedUnits, long rejects, Estimate alpha, Estimate fleiss,
                        List<Pair> pairs, int pairsBelowMinShared) {
    }

    /** The result: the overall group and, when grouped, one group per key in key order. */
    public record Report(ObjectId commit, By by, int minShared, int replicates, long seed, Group overall,
                         List<Group> groups) {
    }

    /** The key of the overall group. */
    public static final String ALL = "all";

    private final Session session;
    private final PoissonBootstrap bootstrap;

    public AgreementService(Session session) {
        this(session, new PoissonBootstrap(PoissonBootstrap.DEFAULT_REPLICATES, PoissonBootstrap.DEFAULT_SEED));
    }

    public AgreementService(Session session, PoissonBootstrap bootstrap) {
        this.session = session;
        this.bootstrap = bootstrap;
    }

    /** Computes the agreement figures of a revision. */
    public Report run(String revision, By by, int minShared) {
        JudgementSource source = new JudgementSource(session, revision);
        List<String> defectTypes = session.repository().config().defectTypes().values();
        GroupAccumulator overall = new GroupAccumulator(ALL);
        Map<String, GroupAccumulator> groups = new TreeMap<>();
        source.forEachImage(image -> {
            long imageKey = unitKey(image.blob(), "");
            int[][] imageWeights = {null};
            overall.add(image.judgements(), imageKey, imageWeights);
            switch (by) {
                case MONTH -> addByMonth(image, groups);
                case CELL_TYPE -> groups.computeIfAbsent(image.cellType(), GroupAccumulator::new)
                        .add(image.judgements(), imageKey, imageWeights);
                case DEFECT -> {
                    for (String type : defectTypes) {
                        groups.computeIfAbsent(type, GroupAccumulator::new)
                                .add(presence(image.judgements(), type), imageKey, imageWeights);
                    }
                }
                case NONE -> {
                }
            }
        });
        List<Group> out = new ArrayList<>();
        for (GroupAccumulator g : groups.values()) {
            out.add(g.result(minShared));
        }
        return new Report(source.commit(), by, minShared, bootstrap.replicates(), PoissonBootstrap.DEFAULT_SEED,
                overall.result(minShared), out);
    }

    private void addByMonth(ImageJudgements image, Map<String, GroupAccumulator> groups) {
        Map<String, List<Judgement>> byMonth = new TreeMap<>();
        for (Judgement j : image.judgements()) {
            byMonth.computeIfAbsent(j.month().toString(), k -> new ArrayList<>()).add(j);
        }
        for (Map.Entry<String, List<Judgement>> e : byMonth.entrySet()) {
            int[][] weights = {null};
            groups.computeIfAbsent(e.getKey(), GroupAccumulator::new)
                    .add(e.getValue(), unitKey(image.blob(), e.getKey()), weights);
        }
    }

    /** Maps every judgement to the binary category of one defect type. */
    private static List<Judgement> presence(List<Judgement> judgements, String type) {
        List<Judgement> out = new ArrayList<>(judgements.size());
        for (Judgement j : judgements) {
            String category = j.category() == null ? null : LabelCategory.presence(j.category(), type);
            out.add(new Judgement(j.kind(), j.rater(), category, j.defects(), j.time(), j.month(), j.day(), j.labelId(),
                    j.decision(), j.subjectLabeler(), j.verifierRecord(), j.guideline()));
        }
        return out;
    }

    /** Derives a unit key from the blob id and the group key, for the bootstrap weights. */
    static long unitKey(String blobHex, String groupKey) {
        long key = Long.parseUnsignedLong(blobHex.substring(0, 16), 16);
        return PoissonBootstrap.mix(key ^ (groupKey.hashCode() * 0x9E3779B97F4A7C15L));
    }

    /** The running sums of one group. */
    private final class GroupAccumulator {
        private final String key;
        private final Map<String, CohenKappa> pairs = new HashMap<>();
        private final FleissKappa fleiss = new FleissKappa(bootstrap);
        private final KrippendorffAlpha alpha = new KrippendorffAlpha(bootstrap);
        private long units;
        private long shared;
        private long rejects;

        GroupAccumulator(String key) {
            this.key = key;
        }

        /**
         * Adds one unit. The latest categorised judgement of each rater counts. {@code weights}
         * keeps the unit's bootstrap weights once drawn, so groups over the same unit share them.
         */
        void add(List<Judgement> judgements, long unitKey, int[][] weights) {
            Map<String, Judgement> latest = new TreeMap<>();
            for (Judgement j : judgements) {
                if (j.kind() == Kind.REVIEW && "reject".equals(j.decision())) {
                    rejects++;
                }
                if (j.category() == null) {
                    continue;
                }
                Judgement before = latest.get(j.rater());
                if (before == null || !j.time().isBefore(before.time())) {
                    latest.put(j.rater(), j);
                }
            }
            if (latest.isEmpty()) {
                return;
            }
            units++;
            if (latest.size() < 2) {
                return;
            }
            shared++;
            Map<String, Integer> counts = new LinkedHashMap<>();
            for (Judgement j : latest.values()) {
                counts.merge(j.category(), 1, Integer::sum);
            }
            if (weights[0] == null) {
                weights[0] = bootstrap.weights(unitKey);
            }
            fleiss.addUnit(counts, weights[0]);
            alpha.addUnit(counts, weights[0]);
            List<String> raters = new ArrayList<>(latest.keySet());
            for (int a = 0; a < raters.size(); a++) {
                for (int b = a + 1; b < raters.size(); b++) {
                    pairs.computeIfAbsent(raters.get(a) + "\t" + raters.get(b), k -> new CohenKappa())
                            .add(latest.get(raters.get(a)).category(), latest.get(raters.get(b)).category());
                }
            }
        }

        Group result(int minShared) {
            List<Pair> out = new ArrayList<>();
            int below = 0;
            for (String pairKey : new TreeSet<>(pairs.keySet())) {
                CohenKappa k = pairs.get(pairKey);
                if (k.items() < minShared) {
                    below++;
                    continue;
                }
                String[] names = pairKey.split("\t");
                out.add(new Pair(names[0], names[1], k.observedAgreement(), k.estimate()));
            }
            Estimate f = fleiss.estimate();
            if (shared < minShared) {
                f = Estimate.undefined(f.n(), f.values(), Estimate.BOOTSTRAP);
            }
            return new Group(key, units, shared, rejects, alpha.estimate(), f, out, below);
        }
    }
}
