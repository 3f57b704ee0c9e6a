package dev.dsv.cli;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.quality.AgreementService;
import dev.dsv.quality.Estimate;
import dev.dsv.service.Session;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dsv quality agreement|drift|report}: how far raters agree and whether labelers drift. */
@Command(name = "quality", subcommands = {QualityCommand.Agreement.class, DriftCommand.class, ReportCommand.class})
final class QualityCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                new Output(null, null, false).text("error.usage.noSubcommand", "quality", "agreement, drift, report"));
    }

    /** Returns the JSON view of an estimate; null bounds and values stay null. */
    static Map<String, Object> view(Estimate e) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("value", e.value());
        v.put("n", e.n());
        v.put("values", e.values());
        v.put("ci_low", e.low());
        v.put("ci_high", e.high());
        if (e.standardError() != null) {
            v.put("standard_error", e.standardError());
        }
        v.put("interval", e.interval());
        return v;
    }

    /** Formats an estimate as {@code 0.712 [0.690, 0.735] n=1835}. */
    static String text(Output out, Estimate e) {
        if (e.value() == null) {
            return out.text("quality.undefined", e.n());
        }
        String ci = e.low() == null ? "" : String.format(Locale.ROOT, " [%.3f, %.3f]", e.low(), e.high());
        return String.format(Locale.ROOT, "%.3f%s n=%d", e.value(), ci, e.n());
    }

    static String revisionOrHead(String revision) {
        return revision == null ? "HEAD" : revision;
    }

    @Command(name = "agreement")
    static final class Agreement extends BaseCommand {
        @Parameters(index = "0", arity = "0..1", paramLabel = "REV", descriptionKey = "quality.rev")
        String revision;

        @Option(names = "--by", paramLabel = "month|cell-type|defect", descriptionKey = "quality.agreement.by")
        String by;

        @Option(names = "--min-shared", paramLabel = "N", defaultValue = "30", descriptionKey = "quality.agreement.minShared")
        int minShared;

        @Override
        int run() {
            AgreementService.By grouping = parseBy(by);
            if (minShared < 1) {
                throw new DsvException(ExitCode.USAGE, "error.quality.minShared", minShared);
            }
            try (Session session = openSession()) {
                AgreementService.Report report = new AgreementService(session).run(revisionOrHead(revision), grouping,
                        minShared);
                if (out().json()) {
                    Map<String, Object> doc = Output.document();
                    doc.put("commit", report.commit().hex());
                    doc.put("by", grouping.optionName());
                    doc.put("min_shared", report.minShared());
                    Map<String, Object> boot = new LinkedHashMap<>();
                    boot.put("replicates", report.replicates());
                    boot.put("seed", report.seed());
                    doc.put("bootstrap", boot);
                    doc.put("overall", groupView(report.overall()));
                    doc.put("groups", report.groups().stream().map(Agreement::groupView).toList());
                    out().printJson(doc);
                } else {
                    out().println("quality.agreement.header", report.commit().abbreviate(12), report.replicates());
                    printGroup(report.overall(), report.minShared());
                    report.groups().forEach(g -> printGroup(g, report.minShared()));
                }
            }
            return 0;
        }

        static AgreementService.By parseBy(String by) {
            if (by == null) {
                return AgreementService.By.NONE;
            }
            for (AgreementService.By b : AgreementService.By.values()) {
                if (by.equals(b.optionName())) {
                    return b;
                }
            }
            throw new DsvException(ExitCode.USAGE, "error.quality.by", by);
        }

        static Map<String, Object> groupView(AgreementService.Group g) {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("key", g.key());
            v.put("units", g.units());
            v.put("shared_units", g.sharedUnits());
            v.put("rejects", g.rejects());
            v.put("alpha", view(g.alpha()));
            v.put("fleiss", view(g.fleiss()));
            v.put("cohen", g.pairs().stream().map(p -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("rater_a", p.raterA());
                m.put("rater_b", p.raterB());
                m.put("observed_agreement", p.observedAgreement());
                m.putAll(view(p.kappa()));
                return m;
            }).toList());
            v.put("pairs_below_min_shared", g.pairsBelowMinShared());
            return v;
        }

        private void printGroup(AgreementService.Group g, int min) {
            out().println("quality.agreement.group", g.key(), g.units(), g.sharedUnits(), g.rejects());
            out().line("  " + out().text("quality.agreement.alpha", text(out(), g.alpha())));
            String fleiss = g.sharedUnits() < min ? out().text("quality.agreement.fleissBelowMin", g.sharedUnits(), min)
                    : text(out(), g.fleiss());
            out().line("  " + out().text("quality.agreement.fleiss", fleiss));
            for (AgreementService.Pair p : g.pairs()) {
                out().line("  " + out().text("quality.agreement.pair", p.raterA(), p.raterB(), text(out(), p.kappa())));
            }
            if (g.pairsBelowMinShared() > 0) {
                out().line("  " + out().text("quality.agreement.belowMin", g.pairsBelowMinShared(), min));
            }
        }
    }
}
