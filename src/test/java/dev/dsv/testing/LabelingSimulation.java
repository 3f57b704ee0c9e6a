package dev.dsv.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A seeded, deterministic labeling operation over the real ELPV images, used as a test bed for
 * the quality commands. Simulated labelers with known accuracy and known drift label images month
 * by month, verifiers with rotation dates decide on a daily sample, five experts label a gold set,
 * and every labeler answers gold questions each month. Everything is plain data; the writers turn
 * judgements into dsv labels CSV files and image folders.
 *
 * <p>Ground truth comes from the ELPV labels: an image is {@code defective} when its defect
 * probability is at least 0.5, and it is a <em>borderline</em> image when the probability is 0.33
 * or 0.67. Borderline images are where labelers err more often, as in practice. No ELPV image truly
 * has a {@code black-edge}; that defect only appears when a softening labeler calls an edge
 * brightness change one.
 */
public final class LabelingSimulation {
    /** The defect type for a defective ELPV image. */
    public static final String DEFECTIVE = "defective";
    /** The defect type a softening labeler calls on edge brightness changes. */
    public static final String BLACK_EDGE = "black-edge";
    /** The UTC offset of the simulated factory (labeled-at times carry it). */
    public static final ZoneOffset FACTORY_OFFSET = ZoneOffset.ofHours(8);

    /** The settings of one run. */
    public record Config(long seed, YearMonth start, int months, int labelsPerLabelerMonth,
                         double secondOpinionShare, double reviewRate, int goldSize, int goldQuestions,
                         int contestedGold) {
        /** 20 months from January 2025, 120 labels per labeler and month, a 5% daily review sample. */
        public static Config defaults() {
            return new Config(20261205L, YearMonth.of(2025, 1), 20, 120, 0.25, 0.05, 200, 50, 6);
        }

        /** Returns the same run with another number of labels per labeler and month (smaller repositories). */
        public Config withLabelsPerLabelerMonth(int n) {
            return new Config(seed, start, months, n, secondOpinionShare, reviewRate, goldSize, goldQuestions,
                    contestedGold);
        }

        /** Returns the same run over fewer months. */
        public Config withMonths(int n) {
            return new Config(seed, start, n, labelsPerLabelerMonth, secondOpinionShare, reviewRate, goldSize,
                    goldQuestions, contestedGold);
        }
    }

    /** One ELPV image with its ground truth. */
    public record Truth(String file, String cellType, String probability, List<String> defects) {
        public boolean borderline() {
            return probability.startsWith("0.3") || probability.startsWith("0.6");
        }
    }

    /** How a simulated labeler drifts. */
    public enum Drift {
        /** Keeps about 95% accuracy throughout. */
        STEADY,
        /** A new labeler who calls suspicious areas "no defect" for the first months. */
        UNDER_CALLS,
        /** An experienced labeler who calls too many defects for a stretch of months. */
        OVER_CALLS,
        /** After a year the boundaries soften: edge brightness changes become black edges. */
        SOFTENS
    }

    /**
     * Error rates of a labeler from month {@code fromMonth} (inclusive, counted from the start) to
     * {@code toMonth} (exclusive). {@code miss}: a defective image called clean; {@code falseCall}:
     * a clean image called defective; {@code edgeCall}: a black edge added to any image. Borderline
     * images get twice the miss and false-call rate (capped at 0.9).
     */
    public record Phase(int fromMonth, int toMonth, double miss, double falseCall, double edgeCall) {
    }

    /** A simulated labeler: id, the drift it was built with, the month it joins and its phases. */
    public record LabelerProfile(String id, Drift drift, int joinMonth, List<Phase> phases) {
        public Phase at(int month) {
            for (Phase p : phases) {
                if (month >= p.fromMonth() && month < p.toMonth()) {
                    return p;
                }
            }
            throw new IllegalArgumentException(id + " has no phase for month " + month);
        }

        public boolean activeIn(int month) {
            return month >= joinMonth;
        }

        /** Returns the months (counted from the start) in which this labeler's rates differ from steady ones. */
        public List<Integer> driftMonths() {
            List<Integer> out = new ArrayList<>();
            for (Phase p : phases) {
                if (p.miss() != STEADY_PHASE.miss() || p.falseCall() != STEADY_PHASE.falseCall()
                        || p.edgeCall() != STEADY_PHASE.edgeCall()) {
                    for (int m = p.fromMonth(); m < p.toMonth(); m++) {
                        out.add(m);
                    }
                }
            }
            return out;
        }
    }

    /**
     * One label given by a labeler. {@code seq} is its position in {@link #judgements()};
     * {@code secondOpinionOf} is the seq of the first judgement of the same image in the same
     * month when this one is an extra judgement, else -1.
     */
    public record Judgement(int seq, int month, String file, String cellType, String labeler,
                            OffsetDateTime labeledAt, List<String> defects, BigDecimal confidence,
                            String guideline, int secondOpinionOf) {
        /** Returns the dataset path this judgement is stored at: {@code sim/YYYY-MM/LABELER/FILE}. */
        public String datasetPath() {
            return "sim/" + YearMonth.from(labeledAt).format(MONTH) + "/" + labeler + "/" + file;
        }

        /** Returns the path relative to the {@code sim} folder, as a labels CSV for that folder names it. */
        public String relativePath() {
            return datasetPath().substring("sim/".length());
        }

        public YearMonth yearMonth() {
            return YearMonth.from(labeledAt);
        }
    }

    /** A verifier and one six-month rotation period (end exclusive). */
    public record Verifier(String id, LocalDate rotationStart, LocalDate rotationEnd) {
    }

    /**
     * A verifier's decision on one sampled judgement: {@code pass}, {@code reject} or
     * {@code relabel} (with the verifier's defects in {@code newDefects}).
     */
    public record Review(int judgement, String verifier, OffsetDateTime decidedAt, String decision,
                         List<String> newDefects) {
    }

    /**
     * The gold set: each expert's defects per image, the images all experts agree on (kept, with
     * the agreed defects) and the contested images left out.
     */
    public record GoldSet(List<String> experts, Map<String, Map<String, List<String>>> expertLabels,
                          Map<String, List<String>> kept, List<String> contested) {
    }

    /** One labeler's answer to one gold question. */
    public record GoldAnswer(String labeler, YearMonth month, String file, List<String> answer, boolean correct) {
    }

    /** A labeler's gold-test score for one month. */
    public record GoldScore(String labeler, YearMonth month, int answered, int correct) {
        public double accuracy() {
            return answered == 0 ? 0 : (double) correct / answered;
        }
    }

    static final Phase STEADY_PHASE = new Phase(0, Integer.MAX_VALUE, 0.05, 0.04, 0.005);
    private static final double EXPERT_ERROR = 0.01;
    private static final double VERIFIER_ERROR = 0.02;
    private static final double RELABEL_SHARE = 0.75;
    private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("yyyy-MM");

    private final Config config;
    private final List<Truth> truths;
    private final Map<String, Truth> truthByFile;
    private final List<LabelerProfile> labelers;
    private final List<Verifier> verifiers;
    private final List<Judgement> judgements = new ArrayList<>();
    private final List<Review> reviews = new ArrayList<>();
    private final List<GoldAnswer> goldAnswers = new ArrayList<>();
    private final List<GoldScore> goldScores = new ArrayList<>();
    private GoldSet gold;

    private LabelingSimulation(Config config, List<Truth> truths) {
        this.config = config;
        this.truths = List.copyOf(truths);
        Map<String, Truth> byFile = new LinkedHashMap<>();
        for (Truth t : truths) {
            byFile.put(t.file(), t);
        }
        this.truthByFile = Collections.unmodifiableMap(byFile);
        this.labelers = defaultLabelers();
        this.verifiers = rotations(config);
    }

    /** Runs the default configuration over the full ELPV set. */
    public static LabelingSimulation run() {
        return run(Config.defaults());
    }

    /** Runs a configuration over the full ELPV set. */
    public static LabelingSimulation run(Config config) {
        return run(config, elpvTruth());
    }

    /** Runs a configuration over the given images (a subset of the ELPV set, say). */
    public static LabelingSimulation run(Config config, List<Truth> images) {
        LabelingSimulation sim = new LabelingSimulation(config, images);
        Random random = new Random(config.seed());
        sim.label(new Random(random.nextLong()));
        sim.review(new Random(random.nextLong()));
        sim.buildGold(new Random(random.nextLong()));
        sim.testGold(new Random(random.nextLong()));
        return sim;
    }

    /** Reads the ELPV ground truth from its labels.csv, in file name order. */
    public static List<Truth> elpvTruth() {
        List<Truth> out = new ArrayList<>();
        for (ElpvLabels.Row r : ElpvLabels.read().values()) {
            boolean defective = Double.parseDouble(r.probability()) >= 0.5;
            out.add(new Truth(r.file(), r.cellType(), r.probability(), defective ? List.of(DEFECTIVE) : List.of()));
        }
        return out;
    }

    /**
     * Returns the six simulated labelers. Three are steady. {@code lab-dan} joins in month 4 and misses
     * 45% of defects for five months; {@code lab-eva} over-calls from month 7 to 13; {@code lab-fay}
     * softens from month 12 on, adding black edges and more false calls.
     */
    public static List<LabelerProfile> defaultLabelers() {
        Phase steady = STEADY_PHASE;
        return List.of(
                new LabelerProfile("lab-ana", Drift.STEADY, 0, List.of(steady)),
                new LabelerProfile("lab-ben", Drift.STEADY, 0, List.of(steady)),
                new LabelerProfile("lab-cai", Drift.STEADY, 0, List.of(steady)),
                new LabelerProfile("lab-dan", Drift.UNDER_CALLS, 4, List.of(
                        new Phase(0, 9, 0.45, 0.01, 0.0),
                        new Phase(9, Integer.MAX_VALUE, steady.miss(), steady.falseCall(), steady.edgeCall()))),
                new LabelerProfile("lab-eva", Drift.OVER_CALLS, 0, List.of(
                        new Phase(0, 7, steady.miss(), steady.falseCall(), steady.edgeCall()),
                        new Phase(7, 14, 0.02, 0.30, 0.01),
                        new Phase(14, Integer.MAX_VALUE, steady.miss(), steady.falseCall(), steady.edgeCall()))),
                new LabelerProfile("lab-fay", Drift.SOFTENS, 0, List.of(
                        new Phase(0, 12, steady.miss(), steady.falseCall(), steady.edgeCall()),
                        new Phase(12, Integer.MAX_VALUE, 0.05, 0.10, 0.30))));
    }

    /**
     * Verifier rotations: four verifiers serve six-month periods, staggered by three months, so two
     * are active at any time and each verifier serves again after a year off.
     */
    static List<Verifier> rotations(Config config) {
        String[] ids = {"ver-kim", "ver-lee", "ver-mo", "ver-ng"};
        List<Verifier> out = new ArrayList<>();
        int slot = 0;
        for (int from = -3; from < config.months(); from += 3) {
            LocalDate start = config.start().plusMonths(from).atDay(1);
            out.add(new Verifier(ids[slot % ids.length], start, start.plusMonths(6)));
            slot++;
        }
        return List.copyOf(out);
    }

    private void label(Random random) {
        List<Truth> pool = new ArrayList<>(truths);
        for (int month = 0; month < config.months(); month++) {
            YearMonth ym = config.start().plusMonths(month);
            String guideline = month < config.months() / 2 ? "v1" : "v2";
            int index = month;
            List<LabelerProfile> active = labelers.stream().filter(l -> l.activeIn(index)).toList();
            // A labeler judges an image at most once a month, so each judgement has its own dataset path.
            java.util.Set<String> done = new java.util.HashSet<>();
            for (LabelerProfile labeler : active) {
                Collections.shuffle(pool, random);
                int n = 0;
                for (Truth t : pool) {
                    if (n == config.labelsPerLabelerMonth()) {
                        break;
                    }
                    if (!done.add(labeler.id() + "/" + t.file())) {
                        continue;
                    }
                    n++;
                    int first = add(random, ym, month, t, labeler, guideline, -1);
                    List<LabelerProfile> others = active.stream()
                            .filter(o -> !done.contains(o.id() + "/" + t.file())).toList();
                    if (random.nextDouble() < config.secondOpinionShare() && !others.isEmpty()) {
                        LabelerProfile other = others.get(random.nextInt(others.size()));
                        done.add(other.id() + "/" + t.file());
                        add(random, ym, month, t, other, guideline, first);
                    }
                }
            }
        }
    }

    private int add(Random random, YearMonth ym, int month, Truth t, LabelerProfile labeler, String guideline,
                    int secondOpinionOf) {
        Phase phase = labeler.at(month);
        List<String> defects = judge(random, t, phase);
        int day = 1 + random.nextInt(Math.min(28, ym.lengthOfMonth()));
        OffsetDateTime at = ym.atDay(day).atTime(8 + random.nextInt(9), random.nextInt(60), random.nextInt(60))
                .atOffset(FACTORY_OFFSET);
        double base = t.borderline() ? 0.55 : 0.8;
        BigDecimal confidence = BigDecimal.valueOf(base + random.nextDouble() * (1 - base)).setScale(2, RoundingMode.HALF_EVEN);
        int seq = judgements.size();
        judgements.add(new Judgement(seq, month, t.file(), t.cellType(), labeler.id(), at, defects, confidence,
                guideline, secondOpinionOf));
        return seq;
    }

    /** Draws one judgement of an image under the given error rates. */
    static List<String> judge(Random random, Truth t, Phase phase) {
        double factor = t.borderline() ? 2 : 1;
        TreeSet<String> out = new TreeSet<>();
        boolean defective = t.defects().contains(DEFECTIVE);
        if (defective) {
            if (random.nextDouble() >= Math.min(0.9, phase.miss() * factor)) {
                out.add(DEFECTIVE);
            }
        } else if (random.nextDouble() < Math.min(0.9, phase.falseCall() * factor)) {
            out.add(DEFECTIVE);
        }
        if (random.nextDouble() < phase.edgeCall()) {
            out.add(BLACK_EDGE);
        }
        return List.copyOf(out);
    }

    private void review(Random random) {
        Map<LocalDate, List<Judgement>> byDay = new TreeMap<>();
        for (Judgement j : judgements) {
            byDay.computeIfAbsent(j.labeledAt().toLocalDate(), d -> new ArrayList<>()).add(j);
        }
        Phase verifierPhase = new Phase(0, Integer.MAX_VALUE, VERIFIER_ERROR, VERIFIER_ERROR, 0);
        for (Map.Entry<LocalDate, List<Judgement>> day : byDay.entrySet()) {
            List<Judgement> labels = new ArrayList<>(day.getValue());
            Collections.shuffle(labels, random);
            // Stochastic rounding keeps the long-run share at the review rate for small days too.
            int n = (int) Math.floor(config.reviewRate() * labels.size() + random.nextDouble());
            List<Verifier> on = verifiersOn(day.getKey());
            for (Judgement j : labels.subList(0, Math.min(n, labels.size()))) {
                Verifier v = on.get(random.nextInt(on.size()));
                List<String> own = judge(random, truthByFile.get(j.file()), verifierPhase);
                OffsetDateTime at = day.getKey().plusDays(1).atTime(10, 0).atOffset(FACTORY_OFFSET)
                        .plusMinutes(random.nextInt(360));
                if (own.equals(j.defects())) {
                    reviews.add(new Review(j.seq(), v.id(), at, "pass", List.of()));
                } else if (random.nextDouble() < RELABEL_SHARE) {
                    reviews.add(new Review(j.seq(), v.id(), at, "relabel", own));
                } else {
                    reviews.add(new Review(j.seq(), v.id(), at, "reject", List.of()));
                }
            }
        }
    }

    /**
     * Returns a verifier's decision on any judgement (one a real review sample drew, say), drawn
     * the way the simulated reviews are but from a generator seeded by the judgement, so the same
     * judgement always gets the same decision.
     */
    public Review decide(Judgement j, String verifier, OffsetDateTime at) {
        Random random = new Random(config.seed() ^ (0x9E3779B97F4A7C15L * (j.seq() + 1)));
        Phase verifierPhase = new Phase(0, Integer.MAX_VALUE, VERIFIER_ERROR, VERIFIER_ERROR, 0);
        List<String> own = judge(random, truthByFile.get(j.file()), verifierPhase);
        if (own.equals(j.defects())) {
            return new Review(j.seq(), verifier, at, "pass", List.of());
        }
        return random.nextDouble() < RELABEL_SHARE ? new Review(j.seq(), verifier, at, "relabel", own)
                : new Review(j.seq(), verifier, at, "reject", List.of());
    }

    /** Returns the verifiers whose rotation period contains the day. */
    public List<Verifier> verifiersOn(LocalDate day) {
        return verifiers.stream().filter(v -> !day.isBefore(v.rotationStart()) && day.isBefore(v.rotationEnd()))
                .toList();
    }

    private void buildGold(Random random) {
        List<Truth> pool = new ArrayList<>(truths);
        Collections.shuffle(pool, random);
        List<Truth> chosen = pool.subList(0, Math.min(config.goldSize(), pool.size()));
        List<String> experts = List.of("exp-1", "exp-2", "exp-3", "exp-4", "exp-5");
        Map<String, Map<String, List<String>>> labels = new LinkedHashMap<>();
        Phase expertPhase = new Phase(0, Integer.MAX_VALUE, EXPERT_ERROR, EXPERT_ERROR, 0);
        for (String e : experts) {
            Map<String, List<String>> mine = new TreeMap<>();
            for (Truth t : chosen) {
                mine.put(t.file(), judge(random, t, expertPhase));
            }
            labels.put(e, mine);
        }
        // Force a few contested borderline images: two experts take the other side.
        int forced = 0;
        for (Truth t : chosen) {
            if (forced == config.contestedGold()) {
                break;
            }
            if (t.borderline()) {
                List<String> other = t.defects().isEmpty() ? List.of(DEFECTIVE) : List.of();
                labels.get(experts.get(1)).put(t.file(), other);
                labels.get(experts.get(3)).put(t.file(), other);
                forced++;
            }
        }
        Map<String, List<String>> kept = new TreeMap<>();
        List<String> contested = new ArrayList<>();
        for (Truth t : chosen) {
            List<String> first = labels.get(experts.get(0)).get(t.file());
            boolean unanimous = experts.stream().allMatch(e -> labels.get(e).get(t.file()).equals(first));
            if (unanimous) {
                kept.put(t.file(), first);
            } else {
                contested.add(t.file());
            }
        }
        Collections.sort(contested);
        gold = new GoldSet(experts, labels, kept, contested);
    }

    private void testGold(Random random) {
        List<String> keptFiles = new ArrayList<>(gold.kept().keySet());
        for (int month = 0; month < config.months(); month++) {
            YearMonth ym = config.start().plusMonths(month);
            for (LabelerProfile labeler : labelers) {
                if (!labeler.activeIn(month)) {
                    continue;
                }
                Collections.shuffle(keptFiles, random);
                int correct = 0;
                int n = Math.min(config.goldQuestions(), keptFiles.size());
                for (String file : keptFiles.subList(0, n)) {
                    List<String> answer = judge(random, truthByFile.get(file), labeler.at(month));
                    boolean right = answer.equals(gold.kept().get(file));
                    goldAnswers.add(new GoldAnswer(labeler.id(), ym, file, answer, right));
                    correct += right ? 1 : 0;
                }
                goldScores.add(new GoldScore(labeler.id(), ym, n, correct));
            }
        }
    }

    public Config config() {
        return config;
    }

    public List<Truth> truths() {
        return truths;
    }

    public Truth truth(String file) {
        return truthByFile.get(file);
    }

    public List<LabelerProfile> labelers() {
        return labelers;
    }

    public LabelerProfile labeler(String id) {
        return labelers.stream().filter(l -> l.id().equals(id)).findFirst().orElseThrow();
    }

    public List<Verifier> verifiers() {
        return verifiers;
    }

    /** Returns every judgement, in the order they were drawn (month by month, labeler by labeler). */
    public List<Judgement> judgements() {
        return Collections.unmodifiableList(judgements);
    }

    /** Returns the judgements of one month, counted from the start. */
    public List<Judgement> judgementsOf(int month) {
        return judgements.stream().filter(j -> j.month() == month).toList();
    }

    public List<Review> reviews() {
        return Collections.unmodifiableList(reviews);
    }

    public GoldSet gold() {
        return gold;
    }

    public List<GoldAnswer> goldAnswers() {
        return Collections.unmodifiableList(goldAnswers);
    }

    public List<GoldScore> goldScores() {
        return Collections.unmodifiableList(goldScores);
    }

    /** Returns the defects as the labels CSV writes them: {@code ;}-separated, empty for none. */
    public static String defectsCell(List<String> defects) {
        return String.join(";", defects);
    }

    /**
     * Writes a dsv labels CSV (columns path, cell_type, defects, labeler, labeled_at, confidence)
     * with paths relative to the {@code sim} folder, one row per judgement in the order given.
     */
    public static Path writeLabelsCsv(Path file, Collection<Judgement> rows) {
        StringBuilder sb = new StringBuilder("path,cell_type,defects,labeler,labeled_at,confidence\n");
        for (Judgement j : rows) {
            sb.append(j.relativePath()).append(',').append(j.cellType()).append(',')
                    .append(defectsCell(j.defects())).append(',').append(j.labeler()).append(',')
                    .append(dev.dsv.model.Times.format(j.labeledAt())).append(',')
                    .append(j.confidence().toPlainString()).append('\n');
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, sb.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /**
     * Lays out the images of the judgements under {@code simFolder} at their relative paths
     * (hard links to the ELPV files where the file system allows, copies otherwise) and writes
     * {@code labels.csv} beside them; {@code dsv add simFolder --labels simFolder/labels.csv}
     * then stores them under {@code sim/}. Returns the labels file.
     */
    public static Path writeBatch(Path simFolder, Collection<Judgement> rows) {
        try {
            for (Judgement j : rows) {
                Path target = simFolder.resolve(j.relativePath());
                Files.createDirectories(target.getParent());
                Path source = Images.ELPV.resolve("images").resolve(j.file());
                try {
                    Files.createLink(target, source);
                } catch (IOException | UnsupportedOperationException e) {
                    Files.copy(source, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return writeLabelsCsv(simFolder.resolve("labels.csv"), rows);
    }

    /** Counts judgements per labeler and month: total and with at least one defect. */
    public Map<String, Map<YearMonth, int[]>> defectCounts() {
        Map<String, Map<YearMonth, int[]>> out = new TreeMap<>();
        for (Judgement j : judgements) {
            int[] c = out.computeIfAbsent(j.labeler(), k -> new TreeMap<>())
                    .computeIfAbsent(j.yearMonth(), k -> new int[2]);
            c[0]++;
            c[1] += j.defects().isEmpty() ? 0 : 1;
        }
        return out;
    }
}
