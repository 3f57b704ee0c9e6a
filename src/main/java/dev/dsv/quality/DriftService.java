package dev.dsv.quality;

import dev.dsv.model.MetaRecord;
import dev.dsv.model.ObjectId;
import dev.dsv.quality.JudgementSource.Judgement;
import dev.dsv.quality.JudgementSource.Kind;
import dev.dsv.service.Session;
import java.math.BigDecimal;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Per labeler and month: defect rate, agreement with verifiers and gold-test accuracy, each
 * compared with the team's median that month as a standardised difference, and flags where a
 * labeler stays on one side of the team for several months. The design section "Agreement and
 * drift" gives the rule.
 */
public final class DriftService {
    /** The statistics compared with the team. */
    public enum Statistic {
        DEFECT_RATE("defect_rate"), VERIFIER_AGREEMENT("verifier_agreement"), GOLD_ACCURACY("gold_accuracy");

        private final String jsonName;

        Statistic(String jsonName) {
            this.jsonName = jsonName;
        }

        public String jsonName() {
            return jsonName;
        }
    }

    /**
     * One statistic of one labeler-month: {@code hits} of {@code n} (defective labels, passed
     * reviews, correct gold answers), the rate, the team's median rate that month and z. Rate,
     * team and z are null when n is 0.
     */
    public record Figure(long n, long hits, Double rate, Double team, Double z) {
    }

    /** One labeler-month with its three figures and its label counts per defect type. */
    public record Row(String labeler, YearMonth month, Map<String, Long> defects, Map<Statistic, Figure> figures) {
    }

    /** A sustained departure from the team: |z| at or over the threshold, one sign, several months. */
    public record Flag(String labeler, Statistic statistic, String direction, YearMonth from, YearMonth to, int months,
                       double maxAbsZ) {
    }

    /** The result, rows sorted by labeler then month. */
    public record Report(ObjectId commit, double threshold, int consecutive, List<Row> rows, List<Flag> flags,
                         Map<YearMonth, Map<Statistic, Double>> team) {
    }

    private static final class Counts {
        final long[] n = new long[Statistic.values().length];
        final long[] hits = new long[Statistic.values().length];
        final Map<String, Long> defects = new TreeMap<>();
    }

    private final Session session;

    public DriftService(Session session) {
        this.session = session;
    }

    /** Value of {@code guideline} that selects the label records naming no guideline. */
    public static final String NO_GUIDELINE = "none";

    /**
     * Computes the drift figures of a revision; {@code labeler} (or null for all) only filters
     * the rows and flags returned, the team medians always use every labeler.
     */
    public Report run(String revision, String labeler, double threshold, int consecutive) {
        return run(revision, labeler, threshold, consecutive, null);
    }

    /**
     * Computes the drift figures of the label records that followed one guideline version
     * ({@link #NO_GUIDELINE} for records naming none; null for all records). Defect rates and
     * verifier agreement count only those records and the decisions on them; gold-test accuracy
     * is not tied to a guideline and is shown as recorded.
     */
    public Report run(String revision, String labeler, double threshold, int consecutive, String guideline) {
        JudgementSource source = new JudgementSource(session, revision);
        Map<String, Map<YearMonth, Counts>> counts = new TreeMap<>();
        source.forEachImage(image -> {
            for (Judgement j : image.judgements()) {
                if (guideline != null && !guideline.equals(j.guideline() == null ? NO_GUIDELINE : j.guideline())) {
                    continue;
                }
                if (j.kind() == Kind.LABEL && !j.verifierRecord()) {
                    Counts c = cell(counts, j.rater(), j.month());
                    count(c, Statistic.DEFECT_RATE, !j.defects().isEmpty());
                    for (String d : j.defects()) {
                        c.defects.merge(d, 1L, Long::sum);
                    }
                } else if (j.kind() == Kind.REVIEW) {
                    count(cell(counts, j.subjectLabeler(), j.month()), Statistic.VERIFIER_AGREEMENT,
                            "pass".equals(j.decision()));
                }
            }
        });
        for (MetaRecord r : source.goldTests()) {
            addGold(counts, r);
        }

        Map<YearMonth, Map<Statistic, Double>> team = teamMedians(counts);
        List<Row> rows = new ArrayList<>();
        List<Flag> flags = new ArrayList<>();
        for (Map.Entry<String, Map<YearMonth, Counts>> e : counts.entrySet()) {
            List<Row> mine = new ArrayList<>();
            for (Map.Entry<YearMonth, Counts> m : e.getValue().entrySet()) {
                Map<Statistic, Figure> figures = new LinkedHashMap<>();
                for (Statistic s : Statistic.values()) {
                    figures.put(s, figure(m.getValue(), s, team.get(m.getKey()).get(s)));
                }
                mine.add(new Row(e.getKey(), m.getKey(), Collections.unmodifiableMap(m.getValue().defects), figures));
            }
            if (labeler == null || labeler.equals(e.getKey())) {
                rows.addAll(mine);
                for (Statistic s : Statistic.values()) {
                    flags.addAll(flags(mine, s, threshold, consecutive));
                }
            }
        }
        return new Report(source.commit(), threshold, consecutive, rows, flags, team);
    }

    private static Counts cell(Map<String, Map<YearMonth, Counts>> counts, String labeler, YearMonth month) {
        return counts.computeIfAbsent(labeler, k -> new TreeMap<>()).computeIfAbsent(month, k -> new Counts());
    }

    private static void count(Counts c, Statistic s, boolean hit) {
        c.n[s.ordinal()]++;
        c.hits[s.ordinal()] += hit ? 1 : 0;
    }

    /** Adds one {@code gold-test} record; one without a labeler, a month or counts is skipped. */
    private static void addGold(Map<String, Map<YearMonth, Counts>> counts, MetaRecord r) {
        Map<String, Object> b = r.body();
        if (!(b.get("labeler") instanceof String labeler) || !(b.get("month") instanceof String monthText)) {
            return;
        }
        YearMonth month;
        try {
            month = YearMonth.parse(monthText);
        } catch (DateTimeParseException e) {
            return;
        }
        Long answered = number(b.get("answered"));
        Long correct = number(b.get("correct"));
        if (answered != null && correct == null && b.get("accuracy") instanceof Number accuracy) {
            correct = Math.round(new BigDecimal(accuracy.toString()).doubleValue() * answered);
        }
        if (answered == null || correct == null || answered <= 0) {
            return;
        }
        Counts c = cell(counts, labeler, month);
        c.n[Statistic.GOLD_ACCURACY.ordinal()] += answered;
        c.hits[Statistic.GOLD_ACCURACY.ordinal()] += correct;
    }

    private static Long number(Object value) {
        return value instanceof Number n ? n.longValue() : null;
    }

    /** Returns, per month and statistic, the median rate over the labelers with data that month. */
    private static Map<YearMonth, Map<Statistic, Double>> teamMedians(Map<String, Map<YearMonth, Counts>> counts) {
        Map<YearMonth, Map<Statistic, List<Double>>> rates = new TreeMap<>();
        for (Map<YearMonth, Counts> months : counts.values()) {
            for (Map.Entry<YearMonth, Counts> m : months.entrySet()) {
                for (Statistic s : Statistic.values()) {
                    long n = m.getValue().n[s.ordinal()];
                    if (n > 0) {
                        rates.computeIfAbsent(m.getKey(), k -> new LinkedHashMap<>())
                                .computeIfAbsent(s, k -> new ArrayList<>()).add((double) m.getValue().hits[s.ordinal()] / n);
                    }
                }
            }
        }
        Map<YearMonth, Map<Statistic, Double>> team = new TreeMap<>();
        for (Map<YearMonth, Counts> months : counts.values()) {
            for (YearMonth m : months.keySet()) {
                Map<Statistic, Double> medians = team.computeIfAbsent(m, k -> new LinkedHashMap<>());
                for (Statistic s : Statistic.values()) {
                    List<Double> values = rates.getOrDefault(m, Map.of()).get(s);
                    medians.put(s, values == null ? null : median(values));
                }
            }
        }
        return team;
    }

    static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static Figure figure(Counts c, Statistic s, Double team) {
        long n = c.n[s.ordinal()];
        long hits = c.hits[s.ordinal()];
        if (n == 0) {
            return new Figure(0, 0, null, team, null);
        }
        double rate = (double) hits / n;
        return new Figure(n, hits, rate, team, team == null ? null : z(rate, team, n));
    }

    /**
     * Returns the standardised difference of a rate from the team's, with the team's rate clamped
     * to [0.5/n, 1 - 0.5/n] so that a team at 0% or 100% still gives a finite value.
     */
    static double z(double rate, double team, long n) {
        double p = Math.min(1 - 0.5 / n, Math.max(0.5 / n, team));
        return (rate - team) / Math.sqrt(p * (1 - p) / n);
    }

    /** Finds the runs of at least {@code consecutive} active months with |z| >= threshold and one sign. */
    static List<Flag> flags(List<Row> rows, Statistic s, double threshold, int consecutive) {
        List<Flag> out = new ArrayList<>();
        List<Row> run = new ArrayList<>();
        int sign = 0;
        List<Row> active = rows.stream().filter(r -> r.figures().get(s).z() != null).toList();
        for (Row r : active) {
            double z = r.figures().get(s).z();
            int rowSign = 0;
            if (Math.abs(z) >= threshold) {
                rowSign = z > 0 ? 1 : -1;
            }
            if (rowSign != 0 && rowSign == sign) {
                run.add(r);
                continue;
            }
            closeRun(out, run, s, sign, consecutive);
            run.clear();
            sign = rowSign;
            if (rowSign != 0) {
                run.add(r);
            }
        }
        closeRun(out, run, s, sign, consecutive);
        return out;
    }

    private static void closeRun(List<Flag> out, List<Row> run, Statistic s, int sign, int consecutive) {
        if (run.size() < consecutive || sign == 0) {
            return;
        }
        double max = 0;
        for (Row r : run) {
            max = Math.max(max, Math.abs(r.figures().get(s).z()));
        }
        out.add(new Flag(run.get(0).labeler(), s, sign > 0 ? "high" : "low", run.get(0).month(),
                run.get(run.size() - 1).month(), run.size(), max));
    }
}
