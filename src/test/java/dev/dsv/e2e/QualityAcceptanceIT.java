package dev.dsv.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.testing.Chromium;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.Images;
import dev.dsv.testing.LabelingSimulation;
import dev.dsv.testing.LabelingSimulation.GoldAnswer;
import dev.dsv.testing.LabelingSimulation.Judgement;
import dev.dsv.testing.LabelingSimulation.LabelerProfile;
import dev.dsv.testing.LabelingSimulation.Review;
import dev.dsv.testing.LabelingSimulation.Verifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.commons.codec.digest.DigestUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulated labeling operation run through the real commands: people, monthly adds and
 * commits, a daily review sample and its decisions, a five-expert gold set and monthly gold
 * tests, then agreement, drift and the HTML report. The drifting labelers must be flagged in
 * their drift phases and the steady ones not.
 */
class QualityAcceptanceIT {
    private static final ZoneId FACTORY = ZoneId.of("Asia/Shanghai");

    @TempDir
    Path tmp;

    private Path library;

    private CliResult ok(String... args) {
        CliResult r = Dsv.run(library, args);
        assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r);
        return r;
    }

    private Path write(String name, String text) throws IOException {
        Path file = tmp.resolve(name);
        Files.writeString(file, text);
        return file;
    }

    private static String defectsCell(List<String> defects) {
        return defects.isEmpty() ? "none" : String.join(";", defects);
    }

    @Test
    void simulatedOperationThroughRealCommands() throws IOException {
        LabelingSimulation sim = LabelingSimulation.run();
        assertEquals(0, Dsv.run(tmp, "init", "lib", "--time-zone", FACTORY.getId()).exitCode());
        library = tmp.resolve("lib");
        ok("switch", "-c", "work");

        // People: the verifiers' rotations must be current now, when the decisions are recorded.
        String rotationStart = LocalDate.now(FACTORY).minusDays(30).toString();
        for (LabelerProfile l : sim.labelers()) {
            ok("people", "add", l.id(), "--role", "labeler");
        }
        Set<String> verifiers = new java.util.TreeSet<>();
        sim.verifiers().forEach(v -> verifiers.add(v.id()));
        for (String v : verifiers) {
            ok("people", "add", v, "--role", "verifier", "--rotation-start", rotationStart);
        }
        for (String e : sim.gold().experts()) {
            ok("people", "add", e, "--role", "expert");
        }

        // One add and commit per month, as batches arrive.
        for (int m = 0; m < sim.config().months(); m++) {
            Path folder = tmp.resolve("batch-" + m).resolve("sim");
            Path labels = LabelingSimulation.writeBatch(folder, sim.judgementsOf(m));
            ok("add", folder.toString(), "--labels", labels.toString(), "--source", "production");
            ok("commit", "-m", "labels of " + sim.config().start().plusMonths(m), "--committer", "sim");
        }

        // Review: one sample by day over the whole history; the verifier on rotation that day decides.
        JsonNode sample = ok("--json", "review", "sample", "HEAD", "--by", "day").json();
        Map<String, Judgement> byPath = new HashMap<>();
        sim.judgements().forEach(j -> byPath.put(j.datasetPath(), j));
        Map<String, StringBuilder> sheets = new TreeMap<>();
        Map<String, Long> expectedDecisions = new TreeMap<>();
        for (JsonNode item : sample.path("items")) {
            Judgement j = byPath.get(item.path("path").asText());
            List<Verifier> on = sim.verifiersOn(j.labeledAt().toLocalDate());
            String verifier = on.get(j.seq() % on.size()).id();
            Review r = sim.decide(j, verifier, j.labeledAt().plusDays(1));
            StringBuilder sheet = sheets.computeIfAbsent(verifier, k -> new StringBuilder("label,decision,defects\n"));
            sheet.append(item.path("label").asText()).append(',').append(r.decision()).append(',')
                    .append(r.decision().equals("relabel") ? defectsCell(r.newDefects()) : "").append('\n');
            expectedDecisions.merge(r.decision(), 1L, Long::sum);
        }
        assertTrue(sample.path("items").size() > sim.judgements().size() / 25, "sample of " + sample.path("items").size());
        for (Map.Entry<String, StringBuilder> sheet : sheets.entrySet()) {
            Path file = write("decisions-" + sheet.getKey() + ".csv", sheet.getValue().toString());
            ok("review", "record", file.toString(), "--verifier", sheet.getKey());
        }

        // Gold set: the five experts' votes on the gold images the library holds.
        Map<String, String> blobOf = new HashMap<>();
        Set<String> present = new HashSet<>();
        sim.judgements().forEach(j -> present.add(j.file()));
        StringBuilder votes = new StringBuilder("sha256,expert,defects\n");
        for (String expert : sim.gold().experts()) {
            for (Map.Entry<String, List<String>> e : sim.gold().expertLabels().get(expert).entrySet()) {
                if (present.contains(e.getKey())) {
                    String blob = blobOf.computeIfAbsent(e.getKey(), f -> sha256(f));
                    votes.append(blob).append(',').append(expert).append(',').append(defectsCell(e.getValue())).append('\n');
                }
            }
        }
        JsonNode gold = ok("--json", "gold", "import", write("gold.csv", votes.toString()).toString()).json().path("gold_set");
        long contested = sim.gold().contested().stream().filter(present::contains).count();
        assertEquals(contested, gold.path("contested").asLong(), gold.toString());

        // Monthly gold tests from the simulated answers.
        Map<String, StringBuilder> answers = new LinkedHashMap<>();
        Map<String, int[]> expectedGold = new HashMap<>();
        for (GoldAnswer a : sim.goldAnswers()) {
            if (!present.contains(a.file())) {
                continue;
            }
            String key = a.labeler() + " " + a.month();
            answers.computeIfAbsent(key, k -> new StringBuilder("sha256,defects\n"))
                    .append(blobOf.computeIfAbsent(a.file(), f -> sha256(f))).append(',').append(defectsCell(a.answer()))
                    .append('\n');
            int[] c = expectedGold.computeIfAbsent(key, k -> new int[2]);
            c[0]++;
            c[1] += a.correct() ? 1 : 0;
        }
        int file = 0;
        for (Map.Entry<String, StringBuilder> e : answers.entrySet()) {
            String[] key = e.getKey().split(" ");
            Path answersFile = write("answers-" + (file++) + ".csv", e.getValue().toString());
            JsonNode test = ok("--json", "gold", "test", "--labeler", key[0], answersFile.toString(), "--month", key[1])
                    .json().path("test");
            assertEquals(expectedGold.get(e.getKey())[1], test.path("correct").asInt(), e.getKey());
        }

        // Drift: the three phases are flagged, the steady labelers are not.
        JsonNode drift = ok("--json", "quality", "drift").json();
        List<String> flags = new ArrayList<>();
        for (JsonNode f : drift.path("flags")) {
            flags.add(f.path("labeler").asText() + " " + f.path("statistic").asText() + " " + f.path("direction").asText()
                    + " " + f.path("from").asText() + " " + f.path("to").asText());
        }
        for (LabelerProfile l : sim.labelers()) {
            if (l.drift() == LabelingSimulation.Drift.STEADY) {
                assertTrue(flags.stream().noneMatch(f -> f.startsWith(l.id() + " ")), l.id() + " flagged: " + flags);
            }
        }
        assertFlagged(flags, sim, "lab-dan defect_rate low", 4, 9);
        assertFlagged(flags, sim, "lab-eva defect_rate high", 7, 14);
        assertFlagged(flags, sim, "lab-fay defect_rate high", 12, 20);
        long decisionsSeen = 0;
        for (JsonNode l : drift.path("labelers")) {
            for (JsonNode m : l.path("months")) {
                decisionsSeen += m.path("verifier_agreement").path("n").asLong();
                int[] g = expectedGold.get(l.path("labeler").asText() + " " + m.path("month").asText());
                if (g != null) {
                    assertEquals(g[0], m.path("gold_accuracy").path("n").asInt());
                    assertEquals(g[1], m.path("gold_accuracy").path("hits").asInt());
                }
            }
        }
        assertEquals(sample.path("items").size(), decisionsSeen);

        // Agreement: labelers and verifiers share images; every figure has n and an interval.
        JsonNode overall = ok("--json", "quality", "agreement").json().path("overall");
        assertEquals(expectedDecisions.getOrDefault("reject", 0L).longValue(), overall.path("rejects").asLong());
        assertTrue(overall.path("alpha").path("n").asLong() > 1000, overall.path("alpha").toString());
        assertTrue(overall.path("alpha").path("ci_low").isNumber(), overall.path("alpha").toString());
        assertTrue(overall.path("cohen").toString().contains("\"rater_b\":\"ver-"), "verifier pairs");

        // Report: every plot renders in Chromium.
        Path page = tmp.resolve("report.html");
        ok("quality", "report", "--html", page.toString());
        String dom = Chromium.dumpDom(page, tmp);
        for (String plot : List.of("plot-agreement", "plot-gold", "plot-reviews", "plot-matrix")) {
            assertTrue(dom.contains("<svg id=\"" + plot + "\""), plot);
        }
        assertEquals(sample.path("items").size(), countOf(dom, "<rect class=\"bar\"", "data-count=\""));
    }

    private static void assertFlagged(List<String> flags, LabelingSimulation sim, String prefix, int fromMonth, int toMonth) {
        YearMonth first = sim.config().start().plusMonths(fromMonth);
        YearMonth last = sim.config().start().plusMonths(toMonth - 1);
        boolean found = false;
        for (String f : flags) {
            if (f.startsWith(prefix + " ")) {
                String[] parts = f.split(" ");
                YearMonth from = YearMonth.parse(parts[3]);
                YearMonth to = YearMonth.parse(parts[4]);
                found |= !from.isBefore(first) && !to.isAfter(last.plusMonths(1));
            }
        }
        assertTrue(found, prefix + " in " + first + ".." + last + ": " + flags);
    }

    /** Adds up the numbers in {@code attribute} of every element that starts with {@code element}. */
    private static long countOf(String dom, String element, String attribute) {
        long sum = 0;
        int at = dom.indexOf(element);
        while (at >= 0) {
            int value = dom.indexOf(attribute, at) + attribute.length();
            sum += Long.parseLong(dom.substring(value, dom.indexOf('"', value)));
            at = dom.indexOf(element, at + 1);
        }
        return sum;
    }

    private static String sha256(String file) {
        try {
            return DigestUtils.sha256Hex(Files.readAllBytes(Images.ELPV.resolve("images").resolve(file)));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
