package dev.dsv.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.LabelingSimulation;
import dev.dsv.testing.LabelingSimulation.Drift;
import dev.dsv.testing.LabelingSimulation.GoldScore;
import dev.dsv.testing.LabelingSimulation.LabelerProfile;
import dev.dsv.testing.RepoSnapshot;
import dev.dsv.testing.SimulatedLibrary;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code dsv quality drift} on the simulated operation: the drifting labelers are flagged in
 * their drift months with the expected direction, the steady ones are not.
 */
class DriftCommandTest {
    static SimulatedLibrary lib;
    static JsonNode drift;

    @BeforeAll
    static void build() {
        lib = SimulatedLibrary.shared();
        CliResult r = Dsv.run(lib.library(), "--json", "quality", "drift");
        assertEquals(0, r.exitCode(), r.toString());
        drift = r.json();
    }

    private static List<JsonNode> flagsOf(String labeler) {
        List<JsonNode> out = new ArrayList<>();
        drift.path("flags").forEach(f -> {
            if (f.path("labeler").asText().equals(labeler)) {
                out.add(f);
            }
        });
        return out;
    }

    private static YearMonth month(int index) {
        return lib.simulation().config().start().plusMonths(index);
    }

    /** Returns the flag of a statistic and direction whose months overlap the given ones, or null. */
    private static JsonNode flag(String labeler, String statistic, String direction, int fromMonth, int toMonth) {
        for (JsonNode f : flagsOf(labeler)) {
            YearMonth from = YearMonth.parse(f.path("from").asText());
            YearMonth to = YearMonth.parse(f.path("to").asText());
            if (f.path("statistic").asText().equals(statistic) && f.path("direction").asText().equals(direction)
                    && !to.isBefore(month(fromMonth)) && !from.isAfter(month(toMonth - 1))) {
                return f;
            }
        }
        return null;
    }

    @Test
    void steadyLabelersAreNotFlagged() {
        for (LabelerProfile p : lib.simulation().labelers()) {
            if (p.drift() == Drift.STEADY) {
                assertEquals(List.of(), flagsOf(p.id()), p.id());
            }
        }
    }

    @Test
    void conservativeStartFlaggedLow() {
        // lab-dan joins in month 4 and misses 45% of defects until month 8.
        JsonNode f = flag("lab-dan", "defect_rate", "low", 4, 9);
        assertTrue(f != null, drift.path("flags").toString());
        assertTrue(!YearMonth.parse(f.path("from").asText()).isBefore(month(4)), f.toString());
        assertTrue(!YearMonth.parse(f.path("to").asText()).isAfter(month(9)), f.toString());
        assertTrue(f.path("months").asInt() >= 3, f.toString());
    }

    @Test
    void aggressiveMiddleFlaggedHigh() {
        // lab-eva calls 30% of clean images defective from month 7 to 13, steady before and after.
        JsonNode f = flag("lab-eva", "defect_rate", "high", 7, 14);
        assertTrue(f != null, drift.path("flags").toString());
        assertTrue(!YearMonth.parse(f.path("from").asText()).isBefore(month(7)), f.toString());
        assertTrue(!YearMonth.parse(f.path("to").asText()).isAfter(month(14)), f.toString());
        assertTrue(flag("lab-eva", "defect_rate", "high", 0, 7) == null || f.path("from").asText().equals(month(7).toString()),
                "lab-eva flagged before the over-calling phase: " + flagsOf("lab-eva"));
        assertTrue(flag("lab-eva", "gold_accuracy", "low", 7, 14) != null, flagsOf("lab-eva").toString());
    }

    @Test
    void softeningFlaggedWithBlackEdges() {
        // lab-fay softens from month 12: black edges on 30% of images.
        JsonNode f = flag("lab-fay", "defect_rate", "high", 12, 20);
        assertTrue(f != null, drift.path("flags").toString());
        assertTrue(!YearMonth.parse(f.path("from").asText()).isBefore(month(12)), f.toString());
        assertTrue(flag("lab-fay", "defect_rate", "high", 0, 12) == null, flagsOf("lab-fay").toString());
        long earlyEdges = 0;
        long lateEdges = 0;
        for (JsonNode l : drift.path("labelers")) {
            if (!l.path("labeler").asText().equals("lab-fay")) {
                continue;
            }
            for (JsonNode m : l.path("months")) {
                long edges = m.path("defects").path(LabelingSimulation.BLACK_EDGE).asLong();
                if (YearMonth.parse(m.path("month").asText()).isBefore(month(12))) {
                    earlyEdges += edges;
                } else {
                    lateEdges += edges;
                }
            }
        }
        assertTrue(lateEdges > 10 * Math.max(1, earlyEdges), "black edges before " + earlyEdges + ", after " + lateEdges);
    }

    @Test
    void goldFiguresComeFromGoldTests() {
        Map<String, GoldScore> expected = new java.util.HashMap<>();
        for (GoldScore s : lib.simulation().goldScores()) {
            expected.put(s.labeler() + "/" + s.month(), s);
        }
        int checked = 0;
        for (JsonNode l : drift.path("labelers")) {
            for (JsonNode m : l.path("months")) {
                GoldScore s = expected.get(l.path("labeler").asText() + "/" + m.path("month").asText());
                if (s != null) {
                    assertEquals(s.answered(), m.path("gold_accuracy").path("n").asLong());
                    assertEquals(s.accuracy(), m.path("gold_accuracy").path("value").asDouble(), 1e-9);
                    checked++;
                }
            }
        }
        assertEquals(lib.simulation().goldScores().size(), checked);
    }

    @Test
    void defectRateMatchesSimulationCounts() {
        Map<String, Map<YearMonth, int[]>> counts = lib.simulation().defectCounts();
        for (JsonNode l : drift.path("labelers")) {
            Map<YearMonth, int[]> mine = counts.get(l.path("labeler").asText());
            for (JsonNode m : l.path("months")) {
                int[] c = mine.get(YearMonth.parse(m.path("month").asText()));
                assertEquals(c[0], m.path("labels").asInt(), l.path("labeler") + " " + m.path("month"));
                assertEquals(c[1], m.path("defect_rate").path("hits").asInt(), l.path("labeler") + " " + m.path("month"));
            }
        }
    }

    @Test
    void labelerFilterAndText() {
        CliResult r = Dsv.run(lib.library(), "quality", "drift", "--labeler", "lab-dan");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("FLAGGED lab-dan: defect_rate low"), r.out());
        assertTrue(!r.out().contains("lab-ana"), r.out());
    }

    @Test
    void badInputExitCodes() {
        Map<String, String> before = RepoSnapshot.of(lib.library());
        CliResult unknown = Dsv.run(lib.library(), "quality", "drift", "--labeler", "nobody");
        assertEquals(3, unknown.exitCode(), unknown.toString());
        assertTrue(unknown.err().contains("nobody"), unknown.err());
        assertEquals(2, Dsv.run(lib.library(), "quality", "drift", "--threshold", "0").exitCode());
        assertEquals(2, Dsv.run(lib.library(), "quality", "drift", "--consecutive", "0").exitCode());
        assertEquals(2, Dsv.run(lib.library(), "quality", "drift", "--threshold", "x").exitCode());
        assertEquals(before, RepoSnapshot.of(lib.library()));
    }
}
