package dev.dsv.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.ElpvLabels;
import dev.dsv.testing.Images;
import dev.dsv.testing.RepoSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A seeded simulation over the 2 624 real ELPV images. The ground truth is "defective" when the
 * ELPV defect probability is at least 0.5, else no defect. Five experts vote the truth, except on
 * seeded images where one expert disagrees (contested) or only three vote (too few). Two labelers
 * answer every kept image, with an exactly known, seeded set of wrong answers: 15% and 5%. The
 * figures dsv computes are checked against the counts of the simulation itself.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GoldSimulationTest {
    private static final String[] EXPERTS = {"ex-1", "ex-2", "ex-3", "ex-4", "ex-5"};

    @TempDir
    static Path tmp;

    Path library;
    /** Dataset path to true class ("defective" or "none"), for the images the gold set keeps. */
    final Map<String, String> kept = new TreeMap<>();
    final Map<String, String> cellTypes = new TreeMap<>();
    int contested;
    int tooFew;

    @BeforeAll
    void buildLibraryAndGoldSet() throws IOException {
        library = tmp.resolve("lib");
        assertEquals(0, Dsv.run(tmp, "init", "lib", "--time-zone", "UTC").exitCode());
        ok("switch", "-c", "work");
        Path labels = ElpvLabels.writeDsvCsv(tmp.resolve("elpv.csv"));
        ok("add", Images.ELPV.resolve("images").toString(), "--labels", labels.toString(), "--prefix", "elpv",
                "--source", "production", "--labeler", "elpv-authors", "--labeled-at", "2018-03-07T00:00:00+01:00");
        ok("commit", "-m", "ELPV");
        for (String e : EXPERTS) {
            ok("people", "add", e, "--role", "expert");
        }
        ok("people", "add", "lab-85", "--role", "labeler");
        ok("people", "add", "lab-95", "--role", "labeler");

        Random random = new Random(20261204L);
        StringBuilder votes = new StringBuilder("path,expert,defects\n");
        for (ElpvLabels.Row row : ElpvLabels.read().values()) {
            String path = "elpv/" + row.file();
            String truth = Double.parseDouble(row.probability()) >= 0.5 ? "defective" : "none";
            double draw = random.nextDouble();
            if (draw < 0.02) {
                contested++;
                for (String e : EXPERTS) {
                    String vote = e.equals("ex-5") ? flip(truth) : truth;
                    votes.append(path).append(',').append(e).append(',').append(vote.equals("none") ? "" : vote).append('\n');
                }
            } else if (draw < 0.03) {
                tooFew++;
                for (int i = 0; i < 3; i++) {
                    votes.append(path).append(',').append(EXPERTS[i]).append(',').append(truth.equals("none") ? "" : truth).append('\n');
                }
            } else {
                kept.put(path, truth);
                cellTypes.put(path, row.cellType());
                for (String e : EXPERTS) {
                    votes.append(path).append(',').append(e).append(',').append(truth.equals("none") ? "" : truth).append('\n');
                }
            }
        }
        Files.writeString(tmp.resolve("votes.csv"), votes.toString());
        JsonNode set = ok("--json", "gold", "import", tmp.resolve("votes.csv").toString()).json().path("gold_set");
        assertEquals(kept.size(), set.path("kept").asInt());
        assertEquals(contested, set.path("contested").asInt());
        assertEquals(tooFew, set.path("too_few_experts").asInt());
    }

    private static String flip(String c) {
        return c.equals("none") ? "defective" : "none";
    }

    private CliResult ok(String... args) {
        CliResult r = Dsv.run(library, args);
        assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r);
        return r;
    }

    /** The simulation's own tally of one labeler's answers. */
    private record Truth(int answered, int correct, Map<String, int[]> byClass, Map<String, Map<String, Integer>> confusion) {
    }

    /** Writes answers for every kept image, wrong on exactly round(errorRate * n) seeded images. */
    private Truth answer(Path file, double errorRate, long seed) throws IOException {
        List<String> paths = new ArrayList<>(kept.keySet());
        Collections.shuffle(paths, new Random(seed));
        int wrong = (int) Math.round(errorRate * paths.size());
        Map<String, int[]> byClass = new TreeMap<>();
        Map<String, Map<String, Integer>> confusion = new TreeMap<>();
        StringBuilder sb = new StringBuilder("path,defects\n");
        for (int i = 0; i < paths.size(); i++) {
            String path = paths.get(i);
            String truth = kept.get(path);
            String given = i < wrong ? flip(truth) : truth;
            sb.append(path).append(',').append(given.equals("none") ? "" : given).append('\n');
            int[] f = byClass.computeIfAbsent(cellTypes.get(path) + "/" + truth, k -> new int[2]);
            f[0]++;
            f[1] += given.equals(truth) ? 1 : 0;
            confusion.computeIfAbsent(truth, k -> new TreeMap<>()).merge(given, 1, Integer::sum);
        }
        Files.writeString(file, sb.toString());
        return new Truth(paths.size(), paths.size() - wrong, byClass, confusion);
    }

    private static void assertFigures(Truth truth, JsonNode test) {
        assertEquals(truth.answered(), test.path("answered").asInt());
        assertEquals(truth.correct(), test.path("correct").asInt());
        assertEquals((double) truth.correct() / truth.answered(), test.path("accuracy").asDouble(), 1e-6);
        assertEquals(0, test.path("unanswered").asInt());
        assertEquals(truth.byClass().size(), test.path("by_class").size());
        for (JsonNode c : test.path("by_class")) {
            int[] expected = truth.byClass().get(c.path("cell_type").asText() + "/" + c.path("class").asText());
            assertEquals(expected[0], c.path("answered").asInt(), c.toString());
            assertEquals(expected[1], c.path("correct").asInt(), c.toString());
            assertEquals((double) expected[1] / expected[0], c.path("accuracy").asDouble(), 1e-6, c.toString());
        }
        truth.confusion().forEach((gold, row) -> row.forEach((given, n) ->
                assertEquals(n.intValue(), test.path("confusion").path(gold).path(given).asInt(), gold + " -> " + given)));
    }

    @Test
    void weakLabelerPausedStrongOneNot() throws IOException {
        Truth weak = answer(tmp.resolve("lab-85.csv"), 0.15, 85);
        JsonNode weakTest = ok("--json", "gold", "test", "--labeler", "lab-85", tmp.resolve("lab-85.csv").toString(),
                "--month", "2026-11").json().path("test");
        assertFigures(weak, weakTest);
        assertFalse(weakTest.path("passed").asBoolean());
        String pausedUntil = LocalDate.now(ZoneOffset.UTC).plusDays(7).toString();
        assertEquals(pausedUntil, weakTest.path("paused_until").asText());

        Truth strong = answer(tmp.resolve("lab-95.csv"), 0.05, 95);
        JsonNode strongTest = ok("--json", "gold", "test", "--labeler", "lab-95", tmp.resolve("lab-95.csv").toString(),
                "--month", "2026-11").json().path("test");
        assertFigures(strong, strongTest);
        assertTrue(strongTest.path("passed").asBoolean());
        assertTrue(strongTest.path("paused_until").isNull());

        JsonNode weakPerson = ok("--json", "people", "show", "lab-85").json();
        assertTrue(weakPerson.path("person").path("paused_now").asBoolean());
        assertEquals(pausedUntil, weakPerson.path("person").path("paused_until").asText());
        assertTrue(weakPerson.path("person").path("pause_reason").asText().contains("gold test 2026-11"));
        assertEquals("2026-11", weakPerson.path("gold_tests").get(0).path("month").asText());
        JsonNode strongPerson = ok("--json", "people", "show", "lab-95").json();
        assertFalse(strongPerson.path("person").path("paused_now").asBoolean());

        JsonNode history = ok("--json", "gold", "history", "--labeler", "lab-85").json().path("tests");
        assertEquals(1, history.size());
        assertEquals(weak.correct(), history.get(0).path("correct").asInt());
        assertTrue(ok("people", "show", "lab-85").out().contains("2026-11: accuracy"));
    }

    @Test
    void answersOutsideGoldSetRejected() throws IOException {
        String outside = ElpvLabels.read().keySet().stream().map(f -> "elpv/" + f).filter(p -> !kept.containsKey(p))
                .findFirst().orElseThrow();
        String inside = kept.keySet().iterator().next();
        Path file = tmp.resolve("stray.csv");
        Files.writeString(file, "path,defects\n" + inside + ",\n" + outside + ",defective\nelpv/nothing.png,\n");
        Map<String, String> before = RepoSnapshot.of(library);
        CliResult r = Dsv.run(library, "gold", "test", "--labeler", "lab-95", file.toString());
        assertEquals(3, r.exitCode(), r.toString());
        assertTrue(r.err().contains(file + ":3: " + outside + " is not in gold set v1"), r.toString());
        assertTrue(r.err().contains(file + ":4: elpv/nothing.png is not in gold set v1"), r.toString());
        assertEquals(before, RepoSnapshot.of(library), "nothing recorded");
    }
}
