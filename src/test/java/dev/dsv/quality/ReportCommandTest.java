package dev.dsv.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.testing.Chromium;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.Images;
import dev.dsv.testing.LabelingSimulation.GoldScore;
import dev.dsv.testing.LabelingSimulation.Review;
import dev.dsv.testing.RepoSnapshot;
import dev.dsv.testing.SimulatedLibrary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ResourceBundle;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dsv quality report}: the page is self-contained, and after headless Chromium has parsed
 * it every plot is there with the data points the other quality commands compute.
 */
class ReportCommandTest {
    private static final Pattern ATTRIBUTE = Pattern.compile("data-([a-z-]+)=\"([^\"]*)\"");

    @TempDir
    Path tmp;

    /** Returns the part of the DOM inside the element that starts with {@code <svg id="ID"}. */
    private static String svg(String dom, String id) {
        int start = dom.indexOf("<svg id=\"" + id + "\"");
        assertTrue(start >= 0, "no plot " + id + " in the rendered page");
        return dom.substring(start, dom.indexOf("</svg>", start));
    }

    /** Returns the data-* attributes of every element of one tag and class inside a fragment. */
    private static List<Map<String, String>> elements(String fragment, String tag, String cssClass) {
        List<Map<String, String>> out = new ArrayList<>();
        Matcher m = Pattern.compile("<" + tag + " class=\"" + cssClass + "\"([^>]*)>").matcher(fragment);
        while (m.find()) {
            Map<String, String> attributes = new HashMap<>();
            Matcher a = ATTRIBUTE.matcher(m.group(1));
            while (a.find()) {
                attributes.put(a.group(1), a.group(2));
            }
            out.add(attributes);
        }
        return out;
    }

    private static JsonNode json(Path library, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "--json";
        System.arraycopy(args, 0, all, 1, args.length);
        CliResult r = Dsv.run(library, all);
        assertEquals(0, r.exitCode(), r.toString());
        return r.json();
    }

    @Test
    void everyPlotRendersWithItsData() throws IOException {
        SimulatedLibrary lib = SimulatedLibrary.shared();
        Path page = tmp.resolve("report.html");
        JsonNode written = json(lib.library(), "quality", "report", "--html", page.toString());
        assertEquals(page.toString(), written.path("html").asText());
        String html = Files.readString(page);
        for (String external : List.of("http://", "https://", "<script", "<link", "<img", "url(", "@import")) {
            assertFalse(html.contains(external), "the page refers to something outside itself: " + external);
        }

        String dom = Chromium.dumpDom(page, tmp);

        // Agreement by month: one Fleiss and one alpha point per month, as the agreement command computes them.
        JsonNode agreement = json(lib.library(), "quality", "agreement", "--by", "month");
        String plot = svg(dom, "plot-agreement");
        for (String series : List.of("fleiss", "alpha")) {
            Map<String, Map<String, String>> byMonth = new HashMap<>();
            for (Map<String, String> p : elements(plot, "circle", "point")) {
                if (p.get("series").equals(series)) {
                    byMonth.put(p.get("month"), p);
                }
            }
            assertEquals(agreement.path("groups").size(), byMonth.size(), series);
            for (JsonNode g : agreement.path("groups")) {
                Map<String, String> p = byMonth.get(g.path("key").asText());
                JsonNode e = g.path(series);
                assertEquals(e.path("value").asDouble(), Double.parseDouble(p.get("value")), 1e-6, series + " " + p);
                assertEquals(e.path("ci_low").asDouble(), Double.parseDouble(p.get("low")), 1e-6, series + " " + p);
                assertEquals(e.path("n").asLong(), Long.parseLong(p.get("n")));
            }
        }

        // Gold accuracy: one point per labeler and month of the gold tests.
        List<Map<String, String>> gold = elements(svg(dom, "plot-gold"), "circle", "point");
        assertEquals(lib.simulation().goldScores().size(), gold.size());
        Map<String, Double> goldValues = new HashMap<>();
        gold.forEach(p -> goldValues.put(p.get("series") + "/" + p.get("month"), Double.parseDouble(p.get("value"))));
        for (GoldScore s : lib.simulation().goldScores()) {
            assertEquals(s.accuracy(), goldValues.get(s.labeler() + "/" + s.month()), 1e-6, s.toString());
        }
        assertTrue(svg(dom, "plot-gold").contains("data-pass-mark=\"0.900000\""), "pass mark line");

        // Review outcomes by day: the bars add up to the decisions, day by day.
        Map<String, Long> expected = new HashMap<>();
        TreeSet<String> days = new TreeSet<>();
        for (Review r : lib.simulation().reviews()) {
            expected.merge(r.decision(), 1L, Long::sum);
            days.add(r.decidedAt().toLocalDate().toString());
        }
        Map<String, Long> drawn = new HashMap<>();
        TreeSet<String> drawnDays = new TreeSet<>();
        for (Map<String, String> bar : elements(svg(dom, "plot-reviews"), "rect", "bar")) {
            drawn.merge(bar.get("outcome"), Long.parseLong(bar.get("count")), Long::sum);
            drawnDays.add(bar.get("day"));
        }
        assertEquals(expected, drawn);
        assertEquals(days, drawnDays);

        // Cell type x defect matrix: the counts of ls --summary, and zero for the empty combinations.
        Map<String, Long> summary = new HashMap<>();
        for (JsonNode s : json(lib.library(), "ls", "--summary").path("sub_libraries")) {
            summary.put(s.path("cell_type").asText() + "/" + s.path("defect").asText(), s.path("images").asLong());
        }
        List<Map<String, String>> cells = elements(svg(dom, "plot-matrix"), "rect", "cell");
        assertEquals(2 * 3, cells.size(), "mono and poly x black-edge, defective, none");
        for (Map<String, String> c : cells) {
            assertEquals(summary.getOrDefault(c.get("cell-type") + "/" + c.get("defect"), 0L), Long.parseLong(c.get("count")),
                    c.toString());
        }

        // Drift flags: one table row per flag of the drift command.
        int flags = json(lib.library(), "quality", "drift").path("flags").size();
        assertEquals(flags, Pattern.compile("<tr class=\"flag\">").matcher(dom).results().count());
        assertTrue(flags >= 3, "flags " + flags);

        Path png = Chromium.screenshot(page, tmp.resolve("report.png"), 1100, 1900, tmp);
        assertTrue(Files.size(png) > 20_000, "screenshot of " + Files.size(png) + " bytes");
    }

    @Test
    void chineseLocaleRendersChineseText() throws IOException {
        SimulatedLibrary lib = SimulatedLibrary.shared();
        Path page = tmp.resolve("报告.html");
        ResourceBundle chinese = ResourceBundle.getBundle("dev.dsv.cli.Messages", Locale.SIMPLIFIED_CHINESE);
        Locale before = Locale.getDefault();
        Locale.setDefault(Locale.SIMPLIFIED_CHINESE);
        CliResult r;
        try {
            r = Dsv.run(lib.library(), "quality", "report", "--html", page.toString());
        } finally {
            Locale.setDefault(before);
        }
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().startsWith("已把 "), r.out());

        String dom = Chromium.dumpDom(page, tmp);
        assertTrue(dom.contains("<html lang=\"zh-CN\">"), dom);
        assertTrue(dom.contains("<h1>" + chinese.getString("report.html.heading") + "</h1>"), dom);
        for (String section : List.of("agreement", "gold", "reviews", "matrix", "flags")) {
            assertTrue(dom.contains("<h2>" + chinese.getString("report.html." + section) + "</h2>"), section);
        }
        String reviews = svg(dom, "plot-reviews");
        for (String outcome : List.of("pass", "relabel", "reject")) {
            assertTrue(reviews.contains(">" + chinese.getString("report.html.outcome." + outcome) + "</text>"), outcome);
        }
        assertTrue(reviews.contains("data-outcome=\"relabel\""), "data values stay English ids");
        assertTrue(dom.contains("<th>" + chinese.getString("report.html.flags.labeler") + "</th>"), "flag table header");
        Matcher commit = Pattern.compile("<p>提交 <code>([0-9a-f]{64})</code>。").matcher(dom);
        assertTrue(commit.find(), "summary with the commit id marked up");
        for (String english : List.of("Agreement by month", "Drift flags", "labeler</th>", ">pass</text>")) {
            assertFalse(dom.contains(english), english);
        }
    }

    @Test
    void libraryWithoutReviewsSaysSo() throws IOException {
        assertEquals(0, Dsv.run(tmp, "init", "lib").exitCode());
        Path library = tmp.resolve("lib");
        assertEquals(0, Dsv.run(library, "switch", "-c", "work").exitCode());
        assertEquals(0, Dsv.run(library, "add", Images.SAMPLE.resolve("images").toString(), "--labels",
                Images.SAMPLE.resolve("labels.csv").toString(), "--source", "production", "--labeler", "elpv").exitCode());
        assertEquals(0, Dsv.run(library, "commit", "-m", "sample").exitCode());
        Path page = tmp.resolve("out").resolve("report.html");
        Files.createDirectories(page.getParent());
        assertEquals(0, Dsv.run(library, "quality", "report", "--html", page.toString()).exitCode());
        String dom = Chromium.dumpDom(page, tmp);
        assertTrue(dom.contains("No review decisions."), dom);
        assertTrue(dom.contains("No gold-test records."), dom);
        assertTrue(dom.contains("No month has images judged by two or more raters."), dom);
        assertEquals(4, elements(svg(dom, "plot-matrix"), "rect", "cell").size(), "mono/poly x defective/none");
    }

    @Test
    void missingFolderRejected() {
        assertEquals(0, Dsv.run(tmp, "init", "lib").exitCode());
        Path library = tmp.resolve("lib");
        Map<String, String> before = RepoSnapshot.of(library);
        CliResult r = Dsv.run(library, "quality", "report", "--html", tmp.resolve("no/such/report.html").toString());
        assertEquals(3, r.exitCode(), r.toString());
        assertTrue(r.err().contains("no/such"), r.err());
        CliResult missingOption = Dsv.run(library, "quality", "report");
        assertEquals(2, missingOption.exitCode(), missingOption.toString());
        assertEquals(before, RepoSnapshot.of(library));
    }
}
