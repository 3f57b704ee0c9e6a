package dev.dsv.cli;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.model.CanonicalJson;
import dev.dsv.model.Times;
import dev.dsv.quality.GoldService;
import dev.dsv.quality.GoldSet;
import dev.dsv.quality.GoldTestResult;
import dev.dsv.service.Session;
import java.nio.file.Path;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dsv gold import|list|show|test|history}: the expert gold set and the monthly labeler tests. */
@Command(name = "gold", subcommands = {GoldCommand.Import.class, GoldCommand.ListSets.class, GoldCommand.Show.class,
    GoldCommand.Test.class, GoldCommand.History.class})
final class GoldCommand implements Runnable {
    /** Lines of dropped images printed in text mode before a count of the rest. */
    private static final int MAX_DROPPED_LINES = 50;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                new Output(null, null, false).text("error.usage.noSubcommand", "gold", "import, list, show, test, history"));
    }

    static Map<String, Object> summary(GoldSet g) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", g.id().hex());
        v.put("version", g.version());
        v.put("commit", g.commit().hex());
        v.put("rev", g.revision());
        v.put("file", g.file());
        v.put("time", Times.format(g.time()));
        v.put("author", g.author());
        v.put("min_experts", g.minExperts());
        v.put("min_agreement", g.minAgreement());
        v.put("kept", g.kept().size());
        v.put("contested", g.contested().size());
        v.put("too_few_experts", g.tooFewExperts().size());
        return v;
    }

    static Map<String, Object> dropped(GoldSet.Dropped d) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("path", d.path());
        v.put("blob", d.blob().hex());
        v.put("cell_type", d.cellType());
        v.put("votes", d.votes());
        return v;
    }

    static Map<String, Object> kept(GoldSet.Image i) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("path", i.path());
        v.put("blob", i.blob().hex());
        v.put("cell_type", i.cellType());
        v.put("label", i.label().hex());
        v.put("defects", i.defects());
        v.put("experts", i.experts());
        v.put("agreement", i.agreement());
        return v;
    }

    /** The full JSON view of a gold set: summary, kept images and both lists of dropped images. */
    static Map<String, Object> full(GoldSet g) {
        Map<String, Object> v = summary(g);
        v.put("kept_images", g.kept().stream().map(GoldCommand::kept).toList());
        v.put("contested_images", g.contested().stream().map(GoldCommand::dropped).toList());
        v.put("too_few_experts_images", g.tooFewExperts().stream().map(GoldCommand::dropped).toList());
        return v;
    }

    static String votesText(Map<String, List<String>> votes) {
        StringBuilder sb = new StringBuilder();
        votes.forEach((expert, types) -> sb.append(sb.length() == 0 ? "" : ", ").append(expert).append('=')
                .append(GoldSet.className(types)));
        return sb.toString();
    }

    /** Prints the summary and the dropped images of a gold set in text mode. */
    static void printText(Output out, GoldSet g) {
        out.println("gold.summary", g.version(), g.id().abbreviate(12), g.commit().abbreviate(12), g.revision(),
                g.kept().size(), g.contested().size(), g.tooFewExperts().size(), g.minExperts(),
                CanonicalJson.plain(g.minAgreement()));
        printDropped(out, "gold.contested", g.contested());
        printDropped(out, "gold.tooFew", g.tooFewExperts());
    }

    private static void printDropped(Output out, String key, List<GoldSet.Dropped> list) {
        int shown = 0;
        for (GoldSet.Dropped d : list) {
            if (shown++ == MAX_DROPPED_LINES) {
                out.println("gold.more", list.size() - MAX_DROPPED_LINES);
                break;
            }
            out.println(key, d.path(), d.votes().size(), votesText(d.votes()));
        }
    }

    static Map<String, Object> testView(GoldTestResult t) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", t.id().hex());
        v.put("labeler", t.labeler());
        v.put("month", t.month());
        v.put("gold_set", t.goldSet().hex());
        v.put("gold_version", t.goldVersion());
        v.put("answered", t.answered());
        v.put("correct", t.correct());
        v.put("accuracy", t.accuracy());
        v.put("unanswered", t.unanswered());
        v.put("pass_mark", t.passMark());
        v.put("passed", t.passed());
        v.put("paused_until", t.pausedUntil() == null ? null : t.pausedUntil().toString());
        v.put("time", Times.format(t.time()));
        v.put("by_class", t.byClass().stream().map(c -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("cell_type", c.cellType());
            m.put("class", c.className());
            m.put("answered", c.answered());
            m.put("correct", c.correct());
            m.put("accuracy", c.accuracy());
            return m;
        }).toList());
        v.put("confusion", t.confusion());
        return v;
    }

    /** Returns the JSON views of a labeler's recorded tests, by month. */
    static List<Map<String, Object>> testViews(Session session, String labeler) {
        return new GoldService(session).tests(labeler).stream().map(GoldCommand::testView).toList();
    }

    /** One text line of a test: month, accuracy, counts and the outcome. */
    static String testLine(Output out, Map<String, Object> t) {
        return out.text(Boolean.TRUE.equals(t.get("passed")) ? "gold.testLine.passed" : "gold.testLine.failed",
                t.get("month"), CanonicalJson.plain((java.math.BigDecimal) t.get("accuracy")), t.get("correct"),
                t.get("answered"), t.get("gold_version"), t.get("paused_until"));
    }

    @Command(name = "import")
    static final class Import extends BaseCommand {
        @Parameters(index = "0", paramLabel = "FILE", descriptionKey = "gold.file")
        Path file;

        @Option(names = "--rev", paramLabel = "REV", descriptionKey = "gold.rev")
        String rev;

        @Override
        int run() {
            try (Session session = openSession()) {
                GoldSet g = new GoldService(session).importFile(rootCommand().workingDirectory().resolve(file), rev);
                if (out().json()) {
                    Map<String, Object> doc = Output.document();
                    Map<String, Object> view = summary(g);
                    view.put("contested_images", g.contested().stream().map(GoldCommand::dropped).toList());
                    view.put("too_few_experts_images", g.tooFewExperts().stream().map(GoldCommand::dropped).toList());
                    doc.put("gold_set", view);
                    out().printJson(doc);
                } else {
                    out().println("gold.imported", g.version());
                    printText(out(), g);
                }
            }
            return 0;
        }
    }

    @Command(name = "list")
    static final class ListSets extends BaseCommand {
        @Override
        int run() {
            try (Session session = openSession()) {
                List<GoldSet> all = new GoldService(session).list();
                if (out().json()) {
                    Map<String, Object> doc = Output.document();
                    doc.put("gold_sets", all.stream().map(GoldCommand::summary).toList());
                    out().printJson(doc);
                } else if (all.isEmpty()) {
                    out().println("gold.none");
                } else {
                    for (GoldSet g : all) {
                        out().println("gold.listLine", g.version(), g.id().abbreviate(12), Times.format(g.time()),
                                g.commit().abbreviate(12), g.kept().size(), g.contested().size(), g.tooFewExperts().size());
                    }
                }
            }
            return 0;
        }
    }

    @Command(name = "show")
    static final class Show extends BaseCommand {
        @Parameters(index = "0", arity = "0..1", paramLabel = "ID", descriptionKey = "gold.id")
        String id;

        @Override
        int run() {
            try (Session session = openSession()) {
                GoldSet g = new GoldService(session).find(id);
                if (out().json()) {
                    Map<String, Object> doc = Output.document();
                    doc.put("gold_set", full(g));
                    out().printJson(doc);
                } else {
                    printText(out(), g);
                }
            }
            return 0;
        }
    }

    @Command(name = "test")
    static final class Test extends BaseCommand {
        @Option(names = "--labeler", required = true, paramLabel = "ID", descriptionKey = "gold.labeler")
        String labeler;

        @Parameters(index = "0", paramLabel = "ANSWERS_FILE", descriptionKey = "gold.answers")
        Path answers;

        @Option(names = "--month", paramLabel = "YYYY-MM", descriptionKey = "gold.month")
        String month;

        @Option(names = "--gold-set", paramLabel = "ID", descriptionKey = "gold.goldSet")
        String goldSet;

        @Override
        int run() {
            YearMonth m = null;
            if (month != null) {
                try {
                    m = YearMonth.parse(month.strip());
                } catch (DateTimeParseException e) {
                    throw new DsvException(ExitCode.USAGE, e, "error.gold.badMonth", month);
                }
            }
            try (Session session = openSession()) {
                GoldTestResult t = new GoldService(session).test(labeler,
                        rootCommand().workingDirectory().resolve(answers), m, goldSet);
                Map<String, Object> view = testView(t);
                if (out().json()) {
                    Map<String, Object> doc = Output.document();
                    doc.put("test", view);
                    out().printJson(doc);
                    return 0;
                }
                out().line(testLine(out(), view));
                if (t.unanswered() > 0) {
                    out().println("gold.unanswered", t.unanswered());
                }
                out().println("gold.byClassHeading");
                for (GoldTestResult.ClassFigures c : t.byClass()) {
                    out().line(String.format("  %-12s %-28s %6d/%-6d %s", c.cellType(), c.className(), c.correct(),
                            c.answered(), CanonicalJson.plain(c.accuracy())));
                }
                out().println("gold.confusionHeading");
                t.confusion().forEach((gold, row) -> row.forEach((answer, n) ->
                        out().line(String.format("  %-28s -> %-28s %d", gold, answer, n))));
            }
            return 0;
        }
    }

    @Command(name = "history")
    static final class History extends BaseCommand {
        @Option(names = "--labeler", paramLabel = "ID", descriptionKey = "gold.historyLabeler")
        String labeler;

        @Override
        int run() {
            try (Session session = openSession()) {
                List<GoldTestResult> tests = new GoldService(session).tests(labeler);
                if (out().json()) {
                    Map<String, Object> doc = Output.document();
                    doc.put("tests", tests.stream().map(GoldCommand::testView).toList());
                    out().printJson(doc);
                } else if (tests.isEmpty()) {
                    out().println("gold.noTests");
                } else {
                    for (GoldTestResult t : tests) {
                        out().line(t.labeler() + "  " + testLine(out(), testView(t)));
                    }
                }
            }
            return 0;
        }
    }
}
