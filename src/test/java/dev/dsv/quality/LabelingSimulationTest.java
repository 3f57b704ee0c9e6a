package dev.dsv.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.LabelingSimulation;
import dev.dsv.testing.LabelingSimulation.GoldScore;
import dev.dsv.testing.LabelingSimulation.Judgement;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The simulated labeling operation: deterministic, drifting as built, and readable by dsv add. */
class LabelingSimulationTest {
    @TempDir
    Path tmp;

    @Test
    void sameSeedSameData() {
        LabelingSimulation a = LabelingSimulation.run();
        LabelingSimulation b = LabelingSimulation.run();
        assertEquals(a.judgements(), b.judgements());
        assertEquals(a.reviews(), b.reviews());
        assertEquals(a.goldScores(), b.goldScores());
        assertEquals(2624, a.truths().size());
    }

    private static double defectRate(LabelingSimulation sim, String labeler, int fromMonth, int toMonth) {
        long n = 0;
        long defective = 0;
        for (Judgement j : sim.judgements()) {
            if (j.labeler().equals(labeler) && j.month() >= fromMonth && j.month() < toMonth) {
                n++;
                defective += j.defects().contains(LabelingSimulation.DEFECTIVE) ? 1 : 0;
            }
        }
        return (double) defective / n;
    }

    @Test
    void driftPhasesShowInDefectRates() {
        LabelingSimulation sim = LabelingSimulation.run();
        double team = defectRate(sim, "lab-ana", 0, 20);
        assertTrue(defectRate(sim, "lab-dan", 4, 9) < team - 0.08, "new labeler under-calls");
        assertTrue(defectRate(sim, "lab-eva", 7, 14) > team + 0.15, "over-calling middle phase");
        assertTrue(Math.abs(defectRate(sim, "lab-eva", 0, 7) - team) < 0.05, "lab-eva steady at first");
        long edges = sim.judgements().stream()
                .filter(j -> j.labeler().equals("lab-fay") && j.month() >= 12)
                .filter(j -> j.defects().contains(LabelingSimulation.BLACK_EDGE)).count();
        long fayLate = sim.judgements().stream().filter(j -> j.labeler().equals("lab-fay") && j.month() >= 12).count();
        assertTrue(edges > fayLate / 5, "softening labeler calls black edges: " + edges + " of " + fayLate);
    }

    @Test
    void goldScoresNear85And95() {
        LabelingSimulation sim = LabelingSimulation.run();
        double steady = sim.goldScores().stream().filter(s -> s.labeler().equals("lab-ana"))
                .mapToDouble(GoldScore::accuracy).average().orElseThrow();
        double newcomer = sim.goldScores().stream()
                .filter(s -> s.labeler().equals("lab-dan") && s.month().isBefore(YearMonth.of(2025, 10)))
                .mapToDouble(GoldScore::accuracy).average().orElseThrow();
        assertTrue(steady > 0.92 && steady < 0.98, "steady gold accuracy " + steady);
        assertTrue(newcomer > 0.80 && newcomer < 0.90, "newcomer gold accuracy " + newcomer);
        assertTrue(sim.gold().contested().size() >= 6, "contested " + sim.gold().contested());
        assertEquals(200, sim.gold().kept().size() + sim.gold().contested().size());
    }

    @Test
    void reviewsSampleAboutFivePercent() {
        LabelingSimulation sim = LabelingSimulation.run();
        double share = (double) sim.reviews().size() / sim.judgements().size();
        assertTrue(share > 0.04 && share < 0.06, "review share " + share);
        for (LabelingSimulation.Review r : sim.reviews()) {
            Judgement j = sim.judgements().get(r.judgement());
            List<String> on = sim.verifiersOn(j.labeledAt().toLocalDate()).stream()
                    .map(LabelingSimulation.Verifier::id).toList();
            assertTrue(on.contains(r.verifier()), r + " by a verifier off rotation");
        }
    }

    @Test
    void batchAddsThroughDsv() {
        LabelingSimulation sim = LabelingSimulation.run(LabelingSimulation.Config.defaults()
                .withLabelsPerLabelerMonth(4).withMonths(2));
        List<Judgement> month0 = sim.judgementsOf(0);
        Path folder = tmp.resolve("batch").resolve("sim");
        Path labels = LabelingSimulation.writeBatch(folder, month0);
        assertEquals(0, Dsv.run(tmp, "init", "lib").exitCode());
        Path lib = tmp.resolve("lib");
        assertEquals(0, Dsv.run(lib, "switch", "-c", "work").exitCode());
        CliResult add = Dsv.run(lib, "--json", "add", folder.toString(), "--labels", labels.toString(),
                "--source", "production");
        assertEquals(0, add.exitCode(), add.toString());
        assertEquals(month0.size(), add.json().path("added").asInt());
        assertEquals(0, Dsv.run(lib, "commit", "-m", "month 0").exitCode());
        JsonNode listed = Dsv.run(lib, "--json", "ls").json();
        assertEquals(month0.size(), listed.path("count").asInt());
        Map<String, Judgement> byPath = new java.util.HashMap<>();
        month0.forEach(j -> byPath.put(j.datasetPath(), j));
        for (JsonNode image : listed.path("images")) {
            Judgement j = byPath.get(image.path("path").asText());
            assertEquals(j.labeler(), image.path("labeler").asText());
            assertEquals(j.defects().size(), image.path("defects").size(), image.toString());
        }
    }
}
