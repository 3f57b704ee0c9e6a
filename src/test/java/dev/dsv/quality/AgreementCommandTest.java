package dev.dsv.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.LabelingSimulation;
import dev.dsv.testing.LabelingSimulation.Judgement;
import dev.dsv.testing.LabelingSimulation.Review;
import dev.dsv.testing.RepoSnapshot;
import dev.dsv.testing.SimulatedLibrary;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dsv quality agreement} on a real repository holding a simulated labeling operation. */
class AgreementCommandTest {
    @TempDir
    static Path tmp;

    static SimulatedLibrary lib;

    @BeforeAll
    static void build() {
        LabelingSimulation sim = LabelingSimulation.run(LabelingSimulation.Config.defaults().withLabelsPerLabelerMonth(40));
        lib = SimulatedLibrary.build(tmp, sim, true, false);
    }

    private static JsonNode agreement(String... options) {
        String[] args = new String[options.length + 3];
        args[0] = "--json";
        args[1] = "quality";
        args[2] = "agreement";
        System.arraycopy(options, 0, args, 3, options.length);
        CliResult r = Dsv.run(lib.library(), args);
        assertEquals(0, r.exitCode(), r.toString());
        return r.json();
    }

    /** A rater's judgement time and category, to keep the latest per rater. */
    private record Rating(OffsetDateTime time, String category) {
    }

    /**
     * Computes the expected judgements straight from the simulation: per ELPV file, the latest
     * category of each rater, with passes and relabels as the verifier's category.
     */
    private static Map<String, Map<String, Rating>> expectedRatings(LabelingSimulation sim) {
        Map<String, Map<String, Rating>> byFile = new TreeMap<>();
        for (Judgement j : sim.judgements()) {
            keepLatest(byFile, j.file(), j.labeler(), j.labeledAt(), LabelCategory.of(j.defects()));
        }
        for (Review r : sim.reviews()) {
            Judgement j = sim.judgements().get(r.judgement());
            switch (r.decision()) {
                case "pass" -> keepLatest(byFile, j.file(), r.verifier(), r.decidedAt(), LabelCategory.of(j.defects()));
                case "relabel" -> keepLatest(byFile, j.file(), r.verifier(), r.decidedAt(), LabelCategory.of(r.newDefects()));
                default -> {
                }
            }
        }
        return byFile;
    }

    private static void keepLatest(Map<String, Map<String, Rating>> byFile, String file, String rater,
                                   OffsetDateTime time, String category) {
        Map<String, Rating> raters = byFile.computeIfAbsent(file, k -> new TreeMap<>());
        Rating before = raters.get(rater);
        if (before == null || !time.isBefore(before.time())) {
            raters.put(rater, new Rating(time, category));
        }
    }

    @Test
    void overallFiguresMatchSimulation() {
        LabelingSimulation sim = lib.simulation();
        Map<String, Map<String, Rating>> expected = expectedRatings(sim);
        CohenKappa anaBen = new CohenKappa();
        KrippendorffAlpha alpha = new KrippendorffAlpha(new PoissonBootstrap(200, PoissonBootstrap.DEFAULT_SEED));
        long shared = 0;
        for (Map<String, Rating> raters : expected.values()) {
            if (raters.containsKey("lab-ana") && raters.containsKey("lab-ben")) {
                anaBen.add(raters.get("lab-ana").category(), raters.get("lab-ben").category());
            }
            if (raters.size() >= 2) {
                shared++;
                Map<String, Integer> counts = new HashMap<>();
                raters.values().forEach(r -> counts.merge(r.category(), 1, Integer::sum));
                alpha.addUnit(0, counts);
            }
        }

        JsonNode doc = agreement();
        JsonNode overall = doc.path("overall");
        assertEquals(expected.size(), overall.path("units").asLong());
        assertEquals(shared, overall.path("shared_units").asLong());
        assertEquals(sim.reviews().stream().filter(r -> r.decision().equals("reject")).count(),
                overall.path("rejects").asLong());
        assertEquals(alpha.estimate().value(), overall.path("alpha").path("value").asDouble(), 1e-9);
        assertEquals(shared, overall.path("alpha").path("n").asLong());

        JsonNode pair = null;
        for (JsonNode p : overall.path("cohen")) {
            assertTrue(p.path("n").asLong() >= 30, p.toString());
            assertTrue(p.path("ci_low").asDouble() <= p.path("value").asDouble(), p.toString());
            assertTrue(p.path("value").asDouble() <= p.path("ci_high").asDouble(), p.toString());
            assertTrue(p.path("standard_error").asDouble() >= 0, p.toString());
            if (p.path("rater_a").asText().equals("lab-ana") && p.path("rater_b").asText().equals("lab-ben")) {
                pair = p;
            }
        }
        assertTrue(pair != null, overall.toString());
        assertEquals(anaBen.items(), pair.path("n").asLong());
        assertEquals(anaBen.estimate().value(), pair.path("value").asDouble(), 1e-9);
        assertEquals(anaBen.estimate().standardError(), pair.path("standard_error").asDouble(), 1e-9);
    }

    @Test
    void everyFigureHasCountAndInterval() {
        JsonNode overall = agreement().path("overall");
        for (String stat : List.of("alpha", "fleiss")) {
            JsonNode e = overall.path(stat);
            assertTrue(e.path("n").asLong() > 100, stat + " " + e);
            assertEquals("bootstrap", e.path("interval").asText());
            assertTrue(e.path("ci_low").asDouble() < e.path("value").asDouble(), stat + " " + e);
            assertTrue(e.path("value").asDouble() < e.path("ci_high").asDouble(), stat + " " + e);
        }
        assertTrue(overall.path("alpha").path("value").asDouble() > 0.5, overall.toString());
        // Verifiers and labelers share images through review decisions.
        assertTrue(overall.path("cohen").toString().contains("ver-"), overall.toString());
    }

    @Test
    void byMonthShowsDriftMonthsLower() {
        JsonNode doc = agreement("--by", "month", "--min-shared", "10");
        assertEquals("month", doc.path("by").asText());
        JsonNode groups = doc.path("groups");
        assertEquals(lib.simulation().config().months(), groups.size());
        assertEquals("2025-01", groups.get(0).path("key").asText());
        // Months 0-3: only steady raters plus lab-eva and lab-fay at their steady start.
        // Months 7-13: lab-dan under-calls (until 8), lab-eva over-calls, lab-fay softens from 12.
        double early = mean(groups, 0, 4);
        double drifting = mean(groups, 7, 14);
        assertTrue(drifting < early - 0.05, "alpha early " + early + ", drifting months " + drifting);
        for (JsonNode g : groups) {
            assertTrue(g.path("alpha").path("n").asLong() > 0, g.toString());
        }
    }

    private static double mean(JsonNode groups, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += groups.get(i).path("alpha").path("value").asDouble();
        }
        return sum / (to - from);
    }

    @Test
    void byDefectAndCellType() {
        JsonNode byDefect = agreement("--by", "defect");
        JsonNode defective = null;
        JsonNode edge = null;
        for (JsonNode g : byDefect.path("groups")) {
            if (g.path("key").asText().equals("defective")) {
                defective = g;
            } else if (g.path("key").asText().equals("black-edge")) {
                edge = g;
            }
        }
        assertTrue(defective != null, byDefect.toString());
        assertTrue(edge != null, byDefect.toString());
        // Black edges are called by one softening labeler only: far less agreement than on defects.
        assertTrue(edge.path("alpha").path("value").asDouble() < defective.path("alpha").path("value").asDouble() - 0.2,
                "defective " + defective.path("alpha") + " black-edge " + edge.path("alpha"));
        JsonNode byCell = agreement("--by", "cell-type");
        List<String> keys = new java.util.ArrayList<>();
        byCell.path("groups").forEach(g -> keys.add(g.path("key").asText()));
        assertEquals(List.of("mono", "poly"), keys);
    }

    @Test
    void minSharedHidesSmallPairs() {
        JsonNode loose = agreement("--min-shared", "1").path("overall");
        JsonNode strict = agreement("--min-shared", "100000").path("overall");
        assertTrue(strict.path("cohen").isEmpty(), strict.toString());
        assertEquals(loose.path("cohen").size(), strict.path("pairs_below_min_shared").asInt());
        assertTrue(strict.path("fleiss").path("value").isNull(), strict.toString());
    }

    @Test
    void textOutputNamesStatistics() {
        CliResult r = Dsv.run(lib.library(), "quality", "agreement");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("Krippendorff's alpha"), r.out());
        assertTrue(r.out().contains("Fleiss' kappa"), r.out());
        assertTrue(r.out().contains("Cohen's kappa lab-ana / lab-ben"), r.out());
    }

    @Test
    void badOptionsLeaveRepositoryAlone() {
        Map<String, String> before = RepoSnapshot.of(lib.library());
        CliResult by = Dsv.run(lib.library(), "quality", "agreement", "--by", "week");
        assertEquals(2, by.exitCode(), by.toString());
        assertTrue(by.err().contains("week"), by.err());
        assertEquals(2, Dsv.run(lib.library(), "quality", "agreement", "--min-shared", "0").exitCode());
        CliResult rev = Dsv.run(lib.library(), "--json", "quality", "agreement", "nosuchbranch");
        assertEquals(5, rev.exitCode(), rev.toString());
        assertEquals("unknown_revision", rev.json().path("error").path("code").asText());
        assertEquals(before, RepoSnapshot.of(lib.library()));
        assertFalse(Dsv.run(tmp, "quality", "agreement").exitCode() == 0);
    }
}
