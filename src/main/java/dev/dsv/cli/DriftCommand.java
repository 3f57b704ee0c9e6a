package dev.dsv.cli;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.quality.DriftService;
import dev.dsv.quality.DriftService.Figure;
import dev.dsv.quality.DriftService.Flag;
import dev.dsv.quality.DriftService.Row;
import dev.dsv.quality.DriftService.Statistic;
import dev.dsv.service.Session;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dsv quality drift [REV]}: per labeler and month, how far each labeler is from the team. */
@Command(name = "drift")
final class DriftCommand extends BaseCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "REV", descriptionKey = "quality.rev")
    String revision;

    @Option(names = "--labeler", paramLabel = "ID", descriptionKey = "quality.drift.labeler")
    String labeler;

    @Option(names = "--guideline", paramLabel = "VERSION", descriptionKey = "quality.drift.guideline")
    String guideline;

    @Option(names = "--threshold", paramLabel = "Z", defaultValue = "2.5", descriptionKey = "quality.drift.threshold")
    double threshold;

    @Option(names = "--consecutive", paramLabel = "MONTHS", defaultValue = "3", descriptionKey = "quality.drift.consecutive")
    int consecutive;

    @Override
    int run() {
        if (!(threshold > 0) || Double.isInfinite(threshold)) {
            throw new DsvException(ExitCode.USAGE, "error.quality.threshold", String.valueOf(threshold));
        }
        if (consecutive < 1) {
            throw new DsvException(ExitCode.USAGE, "error.quality.consecutive", consecutive);
        }
        try (Session session = openSession()) {
            if (guideline != null && !guideline.equals(DriftService.NO_GUIDELINE)) {
                new dev.dsv.service.GuidelineService(session).get(guideline);
            }
            DriftService.Report report = new DriftService(session).run(QualityCommand.revisionOrHead(revision), labeler,
                    threshold, consecutive, guideline);
            if (labeler != null && report.rows().isEmpty()) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.quality.noSuchLabeler", labeler);
            }
            if (out().json()) {
                out().printJson(json(report));
            } else {
                printText(report);
            }
        }
        return 0;
    }

    static Map<String, Object> figureView(Figure f) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("value", f.rate());
        v.put("n", f.n());
        v.put("hits", f.hits());
        v.put("team", f.team());
        v.put("z", f.z());
        return v;
    }

    static Map<String, Object> flagView(Flag f) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("labeler", f.labeler());
        v.put("statistic", f.statistic().jsonName());
        v.put("direction", f.direction());
        v.put("from", f.from().toString());
        v.put("to", f.to().toString());
        v.put("months", f.months());
        v.put("max_abs_z", f.maxAbsZ());
        return v;
    }

    private Map<String, Object> json(DriftService.Report report) {
        Map<String, Object> doc = Output.document();
        doc.put("commit", report.commit().hex());
        doc.put("threshold", report.threshold());
        doc.put("consecutive", report.consecutive());
        doc.put("guideline", guideline);
        List<Map<String, Object>> team = new ArrayList<>();
        report.team().forEach((month, medians) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("month", month.toString());
            medians.forEach((s, v) -> m.put(s.jsonName(), v));
            team.add(m);
        });
        doc.put("team", team);
        Map<String, List<Map<String, Object>>> byLabeler = new LinkedHashMap<>();
        for (Row r : report.rows()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("month", r.month().toString());
            m.put("labels", r.figures().get(Statistic.DEFECT_RATE).n());
            m.put("defects", r.defects());
            r.figures().forEach((s, f) -> m.put(s.jsonName(), figureView(f)));
            byLabeler.computeIfAbsent(r.labeler(), k -> new ArrayList<>()).add(m);
        }
        List<Map<String, Object>> labelers = new ArrayList<>();
        byLabeler.forEach((id, months) -> {
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("labeler", id);
            l.put("months", months);
            l.put("flags", report.flags().stream().filter(f -> f.labeler().equals(id)).map(DriftCommand::flagView).toList());
            labelers.add(l);
        });
        doc.put("labelers", labelers);
        doc.put("flags", report.flags().stream().map(DriftCommand::flagView).toList());
        return doc;
    }

    private static String cell(Figure f) {
        if (f.rate() == null) {
            return "-";
        }
        return f.z() == null ? String.format(Locale.ROOT, "%.3f", f.rate())
                : String.format(Locale.ROOT, "%.3f (%+.1f)", f.rate(), f.z());
    }

    private void printText(DriftService.Report report) {
        out().println("quality.drift.header", report.commit().abbreviate(12), report.threshold(), report.consecutive());
        String current = null;
        for (Row r : report.rows()) {
            if (!r.labeler().equals(current)) {
                current = r.labeler();
                out().line("");
                out().line(current);
                String labels = out().text("quality.drift.labels");
                out().line("  " + TextColumns.pad(out().text("quality.drift.month"), 8) + " "
                        + " ".repeat(Math.max(0, 7 - TextColumns.width(labels))) + labels + "  "
                        + TextColumns.pad(out().text("quality.drift.defectRate"), 16) + " "
                        + TextColumns.pad(out().text("quality.drift.verifierAgreement"), 16) + " "
                        + TextColumns.pad(out().text("quality.drift.goldAccuracy"), 16) + " "
                        + out().text("quality.drift.defects"));
            }
            StringBuilder defects = new StringBuilder();
            r.defects().forEach((d, n) -> defects.append(defects.isEmpty() ? "" : ", ").append(d).append(' ').append(n));
            out().line(String.format(Locale.ROOT, "  %-8s %7d  %-16s %-16s %-16s %s", r.month(),
                    r.figures().get(Statistic.DEFECT_RATE).n(), cell(r.figures().get(Statistic.DEFECT_RATE)),
                    cell(r.figures().get(Statistic.VERIFIER_AGREEMENT)), cell(r.figures().get(Statistic.GOLD_ACCURACY)),
                    defects));
        }
        out().line("");
        if (report.flags().isEmpty()) {
            out().println("quality.drift.noFlags");
        }
        for (Flag f : report.flags()) {
            out().println("quality.drift.flag", f.labeler(), f.statistic().jsonName(), f.direction(), f.from().toString(),
                    f.to().toString(), f.months(), String.format(Locale.ROOT, "%.1f", f.maxAbsZ()));
        }
    }
}
