package dev.dsv.quality;

import dev.dsv.index.ImageFilter;
import dev.dsv.model.ObjectId;
import dev.dsv.quality.DriftService.Statistic;
import dev.dsv.service.PolicyService;
import dev.dsv.service.Session;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Gathers the figures of the HTML quality report; {@link HtmlReport} draws them. */
public final class ReportService {
    /** Fleiss' kappa and alpha of one month. */
    public record MonthAgreement(String month, Estimate fleiss, Estimate alpha) {
    }

    /** One labeler's gold accuracy in one month. */
    public record GoldPoint(YearMonth month, double accuracy, long answered) {
    }

    /** Review decisions of one day by outcome. */
    public record DayOutcomes(LocalDate day, long pass, long relabel, long reject) {
    }

    /** Everything the report shows. */
    public record Data(ObjectId commit, Estimate overallAlpha, Estimate overallFleiss, List<MonthAgreement> months,
                       Map<String, List<GoldPoint>> gold, double passMark, List<DayOutcomes> reviews,
                       Map<List<String>, Long> cellDefectCounts, List<DriftService.Flag> flags) {
    }

    private final Session session;

    public ReportService(Session session) {
        this.session = session;
    }

    /** Computes the report figures of a revision; agreement uses {@code minShared} as the agreement command does. */
    public Data gather(String revision, int minShared) {
        AgreementService.Report agreement = new AgreementService(session).run(revision, AgreementService.By.MONTH, minShared);
        List<MonthAgreement> months = new ArrayList<>();
        for (AgreementService.Group g : agreement.groups()) {
            months.add(new MonthAgreement(g.key(), g.fleiss(), g.alpha()));
        }

        DriftService.Report drift = new DriftService(session).run(revision, null, 2.5, 3);
        Map<String, List<GoldPoint>> gold = new TreeMap<>();
        for (DriftService.Row r : drift.rows()) {
            DriftService.Figure f = r.figures().get(Statistic.GOLD_ACCURACY);
            if (f.rate() != null) {
                gold.computeIfAbsent(r.labeler(), k -> new ArrayList<>()).add(new GoldPoint(r.month(), f.rate(), f.n()));
            }
        }

        JudgementSource source = new JudgementSource(session, revision);
        Map<LocalDate, long[]> byDay = new TreeMap<>();
        source.decisions().values().forEach(list -> list.forEach(d -> {
            long[] c = byDay.computeIfAbsent(source.dayOf(d.time()), k -> new long[3]);
            c[switch (d.decision()) {
                case "pass" -> 0;
                case "relabel" -> 1;
                default -> 2;
            }]++;
        }));
        List<DayOutcomes> reviews = new ArrayList<>();
        byDay.forEach((day, c) -> reviews.add(new DayOutcomes(day, c[0], c[1], c[2])));

        Map<List<String>, Long> matrix = session.index().countByCellDefect(source.tree(),
                ImageFilter.ALL);
        double passMark = new PolicyService(session).inForce("main").decimal("gold.pass_mark").doubleValue();
        return new Data(agreement.commit(), agreement.overall().alpha(), agreement.overall().fleiss(), months, gold,
                passMark, reviews, matrix, drift.flags());
    }
}
