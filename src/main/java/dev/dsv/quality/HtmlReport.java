package dev.dsv.quality;

import dev.dsv.quality.ReportService.DayOutcomes;
import dev.dsv.quality.ReportService.GoldPoint;
import dev.dsv.quality.ReportService.MonthAgreement;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Renders the quality report as one self-contained HTML page: inline CSS and inline SVG drawn
 * here, no script, nothing loaded from elsewhere. Every plotted point, bar and cell carries its
 * values in {@code data-*} attributes (and a {@code <title>} tooltip), so the page can be
 * checked after a browser has parsed it. The visible text (headings, legends, notes) comes from
 * the caller's message bundle through {@link Text}; the {@code data-*} values stay English ids.
 */
public final class HtmlReport {
    /**
     * Looks up the plain text of a {@code report.html.*} message key with its arguments; the
     * renderer escapes the result for HTML.
     */
    @FunctionalInterface
    public interface Text {
        String get(String key, Object... args);
    }

    private static final int WIDTH = 960;
    private static final int HEIGHT = 320;
    private static final int LEFT = 56;
    private static final int RIGHT = 150;
    private static final int TOP = 16;
    private static final int BOTTOM = 64;
    private static final String[] PALETTE = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
        "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

    private HtmlReport() {
    }

    /** Returns the HTML text of the report, in the language of {@code text}. */
    public static String render(ReportService.Data data, Text text) {
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"").append(escape(text.get("report.html.lang")))
                .append("\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<title>").append(escape(text.get("report.html.title", data.commit().abbreviate(12))))
                .append("</title>\n")
                .append("<style>\n")
                .append("body{font-family:sans-serif;margin:24px;color:#222}")
                .append("h1{font-size:22px}h2{font-size:17px;margin-top:32px}")
                .append("svg{background:#fff;border:1px solid #ddd}")
                .append("svg text{font-size:11px;fill:#333}")
                .append(".axis{stroke:#999;stroke-width:1}.grid{stroke:#eee;stroke-width:1}")
                .append(".ci{stroke-width:1.5}.line{fill:none;stroke-width:1.5}")
                .append("table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px}")
                .append("\n</style>\n</head>\n<body>\n");
        // The commit id is hex, so escaping leaves it as it is and it can be found again to mark it up.
        String commit = data.commit().hex();
        String summary = text.get("report.html.summary", commit, estimateText(data.overallAlpha(), text),
                estimateText(data.overallFleiss(), text));
        h.append("<h1>").append(escape(text.get("report.html.heading"))).append("</h1>\n<p>")
                .append(escape(summary).replace(commit, "<code>" + commit + "</code>")).append("</p>\n");

        h.append("<section id=\"agreement\">\n<h2>").append(escape(text.get("report.html.agreement"))).append("</h2>\n");
        agreementPlot(h, data.months(), text);
        h.append("</section>\n<section id=\"gold\">\n<h2>").append(escape(text.get("report.html.gold"))).append("</h2>\n");
        goldPlot(h, data.gold(), data.passMark(), text);
        h.append("</section>\n<section id=\"reviews\">\n<h2>").append(escape(text.get("report.html.reviews")))
                .append("</h2>\n");
        reviewPlot(h, data.reviews(), text);
        h.append("</section>\n<section id=\"matrix\">\n<h2>").append(escape(text.get("report.html.matrix")))
                .append("</h2>\n");
        matrixPlot(h, data.cellDefectCounts(), text);
        h.append("</section>\n<section id=\"flags\">\n<h2>").append(escape(text.get("report.html.flags"))).append("</h2>\n");
        flagTable(h, data.flags(), text);
        h.append("</section>\n</body>\n</html>\n");
        return h.toString();
    }

    private static String estimateText(Estimate e, Text text) {
        if (e.value() == null) {
            return text.get("report.html.undefined");
        }
        String ci = e.low() == null ? "" : String.format(Locale.ROOT, " [%.3f, %.3f]", e.low(), e.high());
        return String.format(Locale.ROOT, "%.3f%s (n = %d)", e.value(), ci, e.n());
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.6f", v);
    }

    private static String px(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** Escapes text for HTML element content and attribute values. */
    static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static void openSvg(StringBuilder h, String id, int height, String label) {
        h.append("<svg id=\"").append(id).append("\" width=\"").append(WIDTH)
                .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ')
                .append(height).append("\" role=\"img\" aria-label=\"").append(escape(label)).append("\">\n");
    }

    /** Draws the y axis with grid lines every {@code step} from {@code min} to {@code max}. */
    private static void yAxis(StringBuilder h, double min, double max, double step) {
        double plotHeight = HEIGHT - TOP - BOTTOM;
        for (double v = min; v <= max + 1e-9; v += step) {
            double y = TOP + plotHeight * (max - v) / (max - min);
            h.append("<line class=\"grid\" x1=\"").append(LEFT).append("\" x2=\"").append(WIDTH - RIGHT)
                    .append("\" y1=\"").append(px(y)).append("\" y2=\"").append(px(y)).append("\"/>")
                    .append("<text x=\"").append(LEFT - 6).append("\" y=\"").append(px(y + 4))
                    .append("\" text-anchor=\"end\">").append(String.format(Locale.ROOT, "%.1f", v)).append("</text>\n");
        }
        h.append("<line class=\"axis\" x1=\"").append(LEFT).append("\" x2=\"").append(LEFT).append("\" y1=\"").append(TOP)
                .append("\" y2=\"").append(HEIGHT - BOTTOM).append("\"/>\n");
    }

    private static double yOf(double v, double min, double max) {
        return TOP + (HEIGHT - TOP - BOTTOM) * (max - v) / (max - min);
    }

    private static void xLabels(StringBuilder h, List<String> labels, int every) {
        double step = (double) (WIDTH - LEFT - RIGHT) / Math.max(1, labels.size());
        for (int i = 0; i < labels.size(); i += every) {
            double x = LEFT + (i + 0.5) * step;
            h.append("<text x=\"").append(px(x)).append("\" y=\"").append(HEIGHT - BOTTOM + 14)
                    .append("\" text-anchor=\"end\" transform=\"rotate(-45 ").append(px(x)).append(' ')
                    .append(HEIGHT - BOTTOM + 14).append(")\">").append(escape(labels.get(i))).append("</text>\n");
        }
    }

    private static void legend(StringBuilder h, List<String> names, List<String> colors) {
        for (int i = 0; i < names.size(); i++) {
            int y = TOP + 14 + i * 18;
            h.append("<rect x=\"").append(WIDTH - RIGHT + 14).append("\" y=\"").append(y - 9)
                    .append("\" width=\"12\" height=\"12\" fill=\"").append(colors.get(i)).append("\"/>")
                    .append("<text class=\"legend\" x=\"").append(WIDTH - RIGHT + 32).append("\" y=\"").append(y + 1)
                    .append("\">").append(escape(names.get(i))).append("</text>\n");
        }
    }

    private static void agreementPlot(StringBuilder h, List<MonthAgreement> months, Text text) {
        if (months.stream().allMatch(m -> m.alpha().value() == null && m.fleiss().value() == null)) {
            h.append("<p class=\"empty\">").append(escape(text.get("report.html.agreement.empty"))).append("</p>\n");
            return;
        }
        double min = 0;
        for (MonthAgreement m : months) {
            for (Estimate e : List.of(m.fleiss(), m.alpha())) {
                if (e.low() != null) {
                    min = Math.min(min, Math.floor(e.low() * 5) / 5);
                }
            }
        }
        openSvg(h, "plot-agreement", HEIGHT, text.get("report.html.agreement.plot"));
        yAxis(h, min, 1, 0.2);
        xLabels(h, months.stream().map(MonthAgreement::month).toList(), 1);
        double step = (double) (WIDTH - LEFT - RIGHT) / months.size();
        String[] series = {"fleiss", "alpha"};
        String[] colors = {PALETTE[0], PALETTE[1]};
        for (int s = 0; s < 2; s++) {
            StringBuilder line = new StringBuilder();
            StringBuilder marks = new StringBuilder();
            for (int i = 0; i < months.size(); i++) {
                Estimate e = s == 0 ? months.get(i).fleiss() : months.get(i).alpha();
                if (e.value() == null) {
                    continue;
                }
                double x = LEFT + (i + 0.5) * step + (s == 0 ? -3 : 3);
                double y = yOf(e.value(), min, 1);
                line.append(line.isEmpty() ? "" : " ").append(px(x)).append(',').append(px(y));
                if (e.low() != null) {
                    marks.append("<line class=\"ci\" stroke=\"").append(colors[s]).append("\" x1=\"").append(px(x))
                            .append("\" x2=\"").append(px(x)).append("\" y1=\"").append(px(yOf(e.low(), min, 1)))
                            .append("\" y2=\"").append(px(yOf(e.high(), min, 1))).append("\"/>");
                }
                marks.append("<circle class=\"point\" data-series=\"").append(series[s]).append("\" data-month=\"")
                        .append(escape(months.get(i).month())).append("\" data-value=\"").append(num(e.value()))
                        .append("\" data-n=\"").append(e.n()).append('"');
                if (e.low() != null) {
                    marks.append(" data-low=\"").append(num(e.low())).append("\" data-high=\"").append(num(e.high()))
                            .append('"');
                }
                marks.append(" cx=\"").append(px(x)).append("\" cy=\"").append(px(y)).append("\" r=\"3.5\" fill=\"")
                        .append(colors[s]).append("\"><title>").append(escape(months.get(i).month())).append(' ')
                        .append(series[s]).append(' ').append(escape(estimateText(e, text))).append("</title></circle>\n");
            }
            h.append("<polyline class=\"line\" stroke=\"").append(colors[s]).append("\" points=\"").append(line)
                    .append("\"/>\n").append(marks);
        }
        legend(h, List.of(text.get("report.html.fleiss"), text.get("report.html.alpha")), List.of(colors));
        h.append("</svg>\n");
    }

    private static void goldPlot(StringBuilder h, Map<String, List<GoldPoint>> gold, double passMark, Text text) {
        if (gold.isEmpty()) {
            h.append("<p class=\"empty\">").append(escape(text.get("report.html.gold.empty"))).append("</p>\n");
            return;
        }
        TreeSet<YearMonth> monthSet = new TreeSet<>();
        double min = Math.min(passMark, 1);
        for (List<GoldPoint> points : gold.values()) {
            for (GoldPoint p : points) {
                monthSet.add(p.month());
                min = Math.min(min, p.accuracy());
            }
        }
        min = Math.max(0, Math.floor(min * 10) / 10);
        List<YearMonth> months = new ArrayList<>(monthSet);
        openSvg(h, "plot-gold", HEIGHT, text.get("report.html.gold.plot"));
        yAxis(h, min, 1, min >= 0.5 ? 0.1 : 0.2);
        xLabels(h, months.stream().map(YearMonth::toString).toList(), 1);
        double step = (double) (WIDTH - LEFT - RIGHT) / months.size();
        double passY = yOf(passMark, min, 1);
        h.append("<line class=\"pass-mark\" data-pass-mark=\"").append(num(passMark)).append("\" stroke=\"#d62728\"")
                .append(" stroke-dasharray=\"5,4\" x1=\"").append(LEFT).append("\" x2=\"").append(WIDTH - RIGHT)
                .append("\" y1=\"").append(px(passY)).append("\" y2=\"").append(px(passY)).append("\"/>\n");
        List<String> names = new ArrayList<>(gold.keySet());
        List<String> colors = new ArrayList<>();
        for (int l = 0; l < names.size(); l++) {
            String color = PALETTE[l % PALETTE.length];
            colors.add(color);
            StringBuilder line = new StringBuilder();
            StringBuilder marks = new StringBuilder();
            for (GoldPoint p : gold.get(names.get(l))) {
                double x = LEFT + (months.indexOf(p.month()) + 0.5) * step;
                double y = yOf(p.accuracy(), min, 1);
                line.append(line.isEmpty() ? "" : " ").append(px(x)).append(',').append(px(y));
                marks.append("<circle class=\"point\" data-series=\"").append(escape(names.get(l)))
                        .append("\" data-month=\"").append(p.month()).append("\" data-value=\"").append(num(p.accuracy()))
                        .append("\" data-n=\"").append(p.answered()).append("\" cx=\"").append(px(x)).append("\" cy=\"")
                        .append(px(y)).append("\" r=\"3\" fill=\"").append(color).append("\"><title>")
                        .append(escape(text.get("report.html.gold.point", names.get(l), p.month().toString(),
                                String.format(Locale.ROOT, "%.3f", p.accuracy()), String.valueOf(p.answered()))))
                        .append("</title></circle>\n");
            }
            h.append("<polyline class=\"line\" stroke=\"").append(color).append("\" points=\"").append(line)
                    .append("\"/>\n").append(marks);
        }
        legend(h, names, colors);
        h.append("</svg>\n");
    }

    private static void reviewPlot(StringBuilder h, List<DayOutcomes> days, Text text) {
        if (days.isEmpty()) {
            h.append("<p class=\"empty\">").append(escape(text.get("report.html.reviews.empty"))).append("</p>\n");
            return;
        }
        LocalDate first = days.get(0).day();
        LocalDate last = days.get(days.size() - 1).day();
        int span = (int) ChronoUnit.DAYS.between(first, last) + 1;
        long max = 1;
        for (DayOutcomes d : days) {
            max = Math.max(max, d.pass() + d.relabel() + d.reject());
        }
        openSvg(h, "plot-reviews", HEIGHT, text.get("report.html.reviews.plot"));
        double plotHeight = HEIGHT - TOP - BOTTOM;
        for (long v = 0; v <= max; v += Math.max(1, max / 5)) {
            double y = TOP + plotHeight * (1 - (double) v / max);
            h.append("<line class=\"grid\" x1=\"").append(LEFT).append("\" x2=\"").append(WIDTH - RIGHT)
                    .append("\" y1=\"").append(px(y)).append("\" y2=\"").append(px(y)).append("\"/><text x=\"")
                    .append(LEFT - 6).append("\" y=\"").append(px(y + 4)).append("\" text-anchor=\"end\">").append(v)
                    .append("</text>\n");
        }
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < span; i++) {
            labels.add(first.plusDays(i).toString());
        }
        xLabels(h, labels, Math.max(1, span / 20));
        double step = (double) (WIDTH - LEFT - RIGHT) / span;
        double barWidth = Math.max(1, step * 0.8);
        String[] outcomes = {"pass", "relabel", "reject"};
        List<String> outcomeNames = new ArrayList<>();
        for (String outcome : outcomes) {
            outcomeNames.add(text.get("report.html.outcome." + outcome));
        }
        String[] colors = {"#2ca02c", "#ff7f0e", "#d62728"};
        for (DayOutcomes d : days) {
            double x = LEFT + ChronoUnit.DAYS.between(first, d.day()) * step + (step - barWidth) / 2;
            long[] counts = {d.pass(), d.relabel(), d.reject()};
            double base = TOP + plotHeight;
            for (int o = 0; o < 3; o++) {
                if (counts[o] == 0) {
                    continue;
                }
                double height = plotHeight * counts[o] / max;
                base -= height;
                h.append("<rect class=\"bar\" data-day=\"").append(d.day()).append("\" data-outcome=\"").append(outcomes[o])
                        .append("\" data-count=\"").append(counts[o]).append("\" x=\"").append(px(x)).append("\" y=\"")
                        .append(px(base)).append("\" width=\"").append(px(barWidth)).append("\" height=\"")
                        .append(px(height)).append("\" fill=\"").append(colors[o]).append("\"><title>").append(d.day())
                        .append(' ').append(escape(outcomeNames.get(o))).append(' ').append(counts[o]).append("</title></rect>\n");
            }
        }
        legend(h, outcomeNames, List.of(colors));
        h.append("</svg>\n");
    }

    private static void matrixPlot(StringBuilder h, Map<List<String>, Long> counts, Text text) {
        if (counts.isEmpty()) {
            h.append("<p class=\"empty\">").append(escape(text.get("report.html.matrix.empty"))).append("</p>\n");
            return;
        }
        TreeSet<String> cellTypes = new TreeSet<>();
        TreeSet<String> defects = new TreeSet<>();
        long max = 1;
        for (Map.Entry<List<String>, Long> e : counts.entrySet()) {
            cellTypes.add(e.getKey().get(0));
            defects.add(e.getKey().get(1));
            max = Math.max(max, e.getValue());
        }
        int cellWidth = Math.max(40, Math.min(90, (WIDTH - 140) / Math.max(1, defects.size())));
        int cellHeight = 28;
        int left = 120;
        int top = 90;
        int height = top + cellHeight * cellTypes.size() + 16;
        int width = left + cellWidth * defects.size() + 16;
        h.append("<svg id=\"plot-matrix\" width=\"").append(width)
                .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
                .append("\" role=\"img\" aria-label=\"").append(escape(text.get("report.html.matrix"))).append("\">\n");
        List<String> columns = new ArrayList<>(defects);
        List<String> rows = new ArrayList<>(cellTypes);
        for (int c = 0; c < columns.size(); c++) {
            double x = left + (c + 0.5) * cellWidth;
            h.append("<text x=\"").append(px(x)).append("\" y=\"").append(top - 8).append("\" transform=\"rotate(-40 ")
                    .append(px(x)).append(' ').append(top - 8).append(")\">").append(escape(columns.get(c))).append("</text>\n");
        }
        Map<String, Map<String, Long>> grid = new TreeMap<>();
        counts.forEach((k, v) -> grid.computeIfAbsent(k.get(0), x -> new TreeMap<>()).put(k.get(1), v));
        for (int r = 0; r < rows.size(); r++) {
            int y = top + r * cellHeight;
            h.append("<text x=\"").append(left - 8).append("\" y=\"").append(y + 18).append("\" text-anchor=\"end\">")
                    .append(escape(rows.get(r))).append("</text>\n");
            for (int c = 0; c < columns.size(); c++) {
                long n = grid.get(rows.get(r)).getOrDefault(columns.get(c), 0L);
                double shade = n == 0 ? 0 : Math.log1p(n) / Math.log1p(max);
                int channel = (int) Math.round(255 - 180 * shade);
                String fill = String.format(Locale.ROOT, "rgb(%d,%d,255)", channel, channel);
                int x = left + c * cellWidth;
                h.append("<rect class=\"cell\" data-cell-type=\"").append(escape(rows.get(r))).append("\" data-defect=\"")
                        .append(escape(columns.get(c))).append("\" data-count=\"").append(n).append("\" x=\"").append(x)
                        .append("\" y=\"").append(y).append("\" width=\"").append(cellWidth).append("\" height=\"")
                        .append(cellHeight).append("\" fill=\"").append(fill).append("\" stroke=\"#fff\"><title>")
                        .append(escape(rows.get(r))).append(" x ").append(escape(columns.get(c))).append(": ").append(n)
                        .append("</title></rect><text x=\"").append(x + cellWidth / 2).append("\" y=\"").append(y + 18)
                        .append("\" text-anchor=\"middle\">").append(n).append("</text>\n");
            }
        }
        h.append("</svg>\n");
    }

    private static void flagTable(StringBuilder h, List<DriftService.Flag> flags, Text text) {
        if (flags.isEmpty()) {
            h.append("<p>").append(escape(text.get("report.html.flags.empty"))).append("</p>\n");
            return;
        }
        h.append("<table id=\"flag-table\"><tr>");
        for (String column : List.of("labeler", "statistic", "direction", "from", "to", "months", "maxAbsZ")) {
            h.append("<th>").append(escape(text.get("report.html.flags." + column))).append("</th>");
        }
        h.append("</tr>\n");
        for (DriftService.Flag f : flags) {
            h.append("<tr class=\"flag\"><td>").append(escape(f.labeler())).append("</td><td>")
                    .append(f.statistic().jsonName()).append("</td><td>").append(f.direction()).append("</td><td>")
                    .append(f.from()).append("</td><td>").append(f.to()).append("</td><td>").append(f.months())
                    .append("</td><td>").append(String.format(Locale.ROOT, "%.1f", f.maxAbsZ())).append("</td></tr>\n");
        }
        h.append("</table>\n");
    }
}
