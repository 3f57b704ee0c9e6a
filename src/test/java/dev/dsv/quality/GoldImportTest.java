package dev.dsv.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.model.LabelRecord;
import dev.dsv.model.ObjectId;
import dev.dsv.service.Session;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.Images;
import dev.dsv.testing.RepoSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** dsv gold import: consensus, images left out, versions, and rejected input. */
class GoldImportTest {
    private static final String[] EXPERTS = {"ex-1", "ex-2", "ex-3", "ex-4", "ex-5"};

    @TempDir
    Path tmp;

    Path library;
    String head;

    @BeforeEach
    void setUp() {
        library = tmp.resolve("lib");
        assertEquals(0, Dsv.run(tmp, "init", "lib", "--time-zone", "UTC").exitCode());
        ok("switch", "-c", "work");
        Images.copySample(tmp.resolve("g"), 4);
        ok("add", "../g", "--cell-type", "mono", "--source", "production", "--labeler", "lab-01");
        ok("commit", "-m", "gold candidates");
        head = ok("--json", "log", "-n", "1").json().path("commits").get(0).path("id").asText();
        for (String e : EXPERTS) {
            ok("people", "add", e, "--role", "expert");
        }
        ok("people", "add", "lab-01", "--role", "labeler");
    }

    private CliResult ok(String... args) {
        CliResult r = Dsv.run(library, args);
        assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r);
        return r;
    }

    /**
     * Votes on four images: cell0001 unanimous "no defect"; cell0002 unanimous crack; cell0003
     * four experts say crack and ex-5 says no defect; cell0004 only three experts voted.
     */
    private Path votes() throws IOException {
        StringBuilder sb = new StringBuilder("path,expert,defects\n");
        for (String e : EXPERTS) {
            sb.append("g/cell0001.png,").append(e).append(",\n");
            sb.append("g/cell0002.png,").append(e).append(",crack\n");
            sb.append("g/cell0003.png,").append(e).append(e.equals("ex-5") ? ",none\n" : ",crack\n");
        }
        for (String e : List.of("ex-1", "ex-2", "ex-3")) {
            sb.append("g/cell0004.png,").append(e).append(",crack\n");
        }
        Path file = tmp.resolve("votes.csv");
        Files.writeString(file, sb.toString());
        return file;
    }

    @Test
    void importDropsContestedAndTooFewExperts() throws IOException {
        JsonNode set = ok("--json", "gold", "import", votes().toString()).json().path("gold_set");
        assertEquals(1, set.path("version").asInt());
        assertEquals(head, set.path("commit").asText(), "the gold set pins the commit its paths were resolved at");
        assertEquals(2, set.path("kept").asInt());
        assertEquals(1, set.path("contested").asInt());
        assertEquals(1, set.path("too_few_experts").asInt());
        JsonNode contested = set.path("contested_images").get(0);
        assertEquals("g/cell0003.png", contested.path("path").asText());
        assertEquals(5, contested.path("votes").size());
        assertEquals(0, contested.path("votes").path("ex-5").size(), "ex-5 voted no defect");
        assertEquals("crack", contested.path("votes").path("ex-1").get(0).asText());
        JsonNode tooFew = set.path("too_few_experts_images").get(0);
        assertEquals("g/cell0004.png", tooFew.path("path").asText());
        assertEquals(3, tooFew.path("votes").size());

        JsonNode shown = ok("--json", "gold", "show").json().path("gold_set");
        JsonNode kept = shown.path("kept_images");
        assertEquals(2, kept.size());
        assertEquals("g/cell0001.png", kept.get(0).path("path").asText());
        assertEquals(0, kept.get(0).path("defects").size());
        assertEquals("crack", kept.get(1).path("defects").get(0).asText());
        assertEquals(5, kept.get(1).path("experts").size());
        try (Session s = Session.open(library)) {
            LabelRecord label = s.readLabel(ObjectId.parse(kept.get(1).path("label").asText()));
            assertEquals("gold", label.labeler());
            assertEquals(List.of("crack"), label.defectTypes());
            assertEquals(kept.get(1).path("blob").asText(), label.image().hex());
        }
        String text = ok("gold", "show").out();
        assertTrue(text.contains("contested: g/cell0003.png (5 experts: ex-1=crack, ex-2=crack, ex-3=crack, ex-4=crack, ex-5=none)"), text);
        assertTrue(text.contains("too few experts: g/cell0004.png (3 experts"), text);
    }

    @Test
    void lowerAgreementKeepsMajorityAndMakesNewVersion() throws IOException {
        Path votes = votes();
        ok("gold", "import", votes.toString());
        Files.writeString(tmp.resolve("policy.json"),
                "{\"gates\":[\"verified\"],\"settings\":{\"gold.min_agreement\":0.8,\"gold.min_experts\":3}}");
        ok("policy", "--set", tmp.resolve("policy.json").toString());
        // A work branch's policy does not set the library-wide gold rules: main's does.
        JsonNode same = ok("--json", "gold", "import", votes.toString(), "--rev", "work").json().path("gold_set");
        assertEquals(2, same.path("kept").asInt(), "main's default rules still apply: " + same);
        dev.dsv.testing.ReviewFlow.addVerifier(Dsv::run, library, "senior-01");
        dev.dsv.testing.ReviewFlow.passAll(Dsv::run, library, "work", "senior-01");
        ok("promote", "work", "--accept-policy-change");
        JsonNode second = ok("--json", "gold", "import", votes.toString(), "--rev", "work").json().path("gold_set");
        assertEquals(3, second.path("version").asInt());
        assertEquals(4, second.path("kept").asInt(), "4 of 5 reach 0.8; 3 experts are enough now");
        assertEquals(0, second.path("contested").asInt());
        JsonNode list = ok("--json", "gold", "list").json().path("gold_sets");
        assertEquals(3, list.size());
        assertEquals(2, list.get(0).path("kept").asInt());
        JsonNode first = ok("--json", "gold", "show", "1").json().path("gold_set");
        assertEquals(list.get(0).path("id").asText(), first.path("id").asText());
        JsonNode byPrefix = ok("--json", "gold", "show", list.get(2).path("id").asText().substring(0, 8)).json();
        assertEquals(3, byPrefix.path("gold_set").path("version").asInt());
        JsonNode contestedNowKept = byPrefix.path("gold_set").path("kept_images").get(2);
        assertEquals("g/cell0003.png", contestedNowKept.path("path").asText());
        assertEquals("0.8", contestedNowKept.path("agreement").asText());
    }

    @Test
    void jsonLinesAndBlobIdsAccepted() throws IOException {
        String blob = ok("--json", "ls", "work").json().path("images").get(1).path("sha256").asText();
        StringBuilder sb = new StringBuilder();
        for (String e : EXPERTS) {
            sb.append("{\"sha256\":\"").append(blob).append("\",\"expert\":\"").append(e)
                    .append("\",\"defects\":[\"crack\"],\"regions\":[]}\n");
        }
        Files.writeString(tmp.resolve("votes.jsonl"), sb.toString());
        JsonNode set = ok("--json", "gold", "import", tmp.resolve("votes.jsonl").toString()).json().path("gold_set");
        assertEquals(1, set.path("kept").asInt());
        JsonNode kept = ok("--json", "gold", "show").json().path("gold_set").path("kept_images").get(0);
        assertEquals("g/cell0002.png", kept.path("path").asText());
        assertEquals(blob, kept.path("blob").asText());
    }

    @Test
    void testMonthAfterCurrentRejected() throws IOException {
        ok("gold", "import", votes().toString());
        Path answers = tmp.resolve("answers.csv");
        Files.writeString(answers, "path,defects\ng/cell0002.png,crack\n");
        Map<String, String> before = RepoSnapshot.of(library);
        java.time.YearMonth next = java.time.YearMonth.now(java.time.ZoneOffset.UTC).plusMonths(1);
        CliResult r = Dsv.run(library, "gold", "test", "--labeler", "lab-01", answers.toString(),
                "--month", next.toString());
        assertEquals(3, r.exitCode(), r.toString());
        assertTrue(r.err().contains("--month " + next + " is after the current month"), r.toString());
        assertEquals(before, RepoSnapshot.of(library), "nothing recorded");
        ok("gold", "test", "--labeler", "lab-01", answers.toString(), "--month", next.minusMonths(2).toString());
    }

    @Test
    void badInputRecordsNothing() throws IOException {
        ok("people", "add", "lab-02", "--role", "labeler");
        Map<String, String> before = RepoSnapshot.of(library);
        String header = "path,expert,defects\n";
        Map<String, String> cases = Map.of(
                "malformed.csv", header + "g/cell0001.png,ex-1\n",
                "unknown-person.csv", header + "g/cell0001.png,ex-1,\ng/cell0001.png,ex-9,\n",
                "not-expert.csv", header + "g/cell0001.png,ex-1,\ng/cell0001.png,lab-02,\n",
                "unknown-path.csv", header + "g/cell0001.png,ex-1,\ng/cell9999.png,ex-1,\n",
                "unknown-defect.csv", header + "g/cell0001.png,ex-1,crak\n",
                "twice.csv", header + "g/cell0001.png,ex-1,\ng/cell0001.png,ex-1,crack\n",
                "unknown-column.csv", "path,expert,defect\ng/cell0001.png,ex-1,\n",
                "bad.jsonl", "{\"path\":\"g/cell0001.png\",\"expert\":\"ex-1\",\"defects\":[]}\n{\"path\": \n",
                "unclosed-quote.csv", header + "g/cell0001.png,ex-1,\"crack\ng/cell0002.png,ex-1,\n");
        Map<String, String> expected = Map.of(
                "malformed.csv", ":2: 2 values, but the header has 3 columns",
                "unknown-person.csv", ":3: expert ex-9 is not registered",
                "not-expert.csv", ":3: lab-02 is not an expert",
                "unknown-path.csv", ":3: no image at g/cell9999.png in revision HEAD",
                "unknown-defect.csv", ":2: unknown defect type 'crak'",
                "twice.csv", ":3: expert ex-1 voted on g/cell0001.png already at",
                "unknown-column.csv", ":1: unknown column 'defect'",
                "bad.jsonl", ":2: invalid JSON line",
                "unclosed-quote.csv", ":4: this CSV cannot be read (Missing closing quote");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Path file = tmp.resolve(c.getKey());
            Files.writeString(file, c.getValue());
            CliResult r = Dsv.run(library, "gold", "import", file.toString());
            assertEquals(3, r.exitCode(), c.getKey() + "\n" + r);
            assertTrue(r.err().contains(file + expected.get(c.getKey())), c.getKey() + "\n" + r);
            assertEquals(before, RepoSnapshot.of(library), c.getKey() + " recorded nothing");
        }
        CliResult badRev = Dsv.run(library, "gold", "import", tmp.resolve("malformed.csv").toString(), "--rev", "nosuch");
        assertEquals(5, badRev.exitCode(), badRev.toString());
        assertEquals(before, RepoSnapshot.of(library));
        assertFalse(ok("gold", "list").out().contains("v1"));
    }
}
