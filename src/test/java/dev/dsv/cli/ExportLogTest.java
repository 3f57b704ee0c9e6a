package dev.dsv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.Images;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The export access log: one metadata record per export, listed by {@code dsv exports log}. */
class ExportLogTest {
    @TempDir
    Path tmp;

    Path library;

    @BeforeEach
    void setUp() {
        library = tmp.resolve("lib");
        ok(tmp, "init", "lib");
        ok(library, "switch", "-c", "work");
        ok(library, "add", Images.SAMPLE.resolve("images").toString(), "--labels",
                Images.SAMPLE.resolve("labels.csv").toString(), "--source", "production", "--labeler", "elpv-experts",
                "--labeled-at", "2018-03-07T00:00:00+01:00");
        ok(library, "commit", "-m", "sample");
        ok(library, "config", "set", "user.id", "erin");
    }

    private static CliResult ok(Path dir, String... args) {
        CliResult r = Dsv.run(dir, args);
        assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r);
        return r;
    }

    @Test
    void exportsAreLoggedNewestFirst() {
        ok(library, "export", "--out", tmp.resolve("all").toString());
        ok(library, "export", "--out", tmp.resolve("secret-share/poly").toString(), "--cell-type", "poly",
                "--manifest", "jsonl");
        String head = ok(library, "log", "--json").json().path("commits").get(0).path("id").asText();

        JsonNode exports = ok(library, "exports", "log", "--json").json().path("exports");
        assertEquals(2, exports.size(), exports.toString());
        JsonNode poly = exports.get(0);
        assertEquals("erin", poly.path("author").asText());
        assertEquals("export", poly.path("command").asText());
        assertEquals(head, poly.path("commit").asText());
        assertEquals("poly", poly.path("filter").path("cell_type").asText());
        assertEquals(30, poly.path("images").asInt());
        assertEquals("manifest.jsonl", poly.path("manifest").asText());
        assertEquals("poly", poly.path("target").asText());
        assertFalse(poly.toString().contains("secret-share"), poly.toString());
        JsonNode all = exports.get(1);
        assertFalse(all.path("filter").has("cell_type"), all.toString());
        assertTrue(all.path("images").asInt() > 30, all.toString());
    }

    @Test
    void orderFollowsRecordTimesNotTheLogOrder() throws Exception {
        ok(library, "export", "--out", tmp.resolve("first").toString());
        Thread.sleep(100);
        ok(library, "export", "--out", tmp.resolve("second").toString(), "--cell-type", "poly");
        // A clone lists records in the order it fetched them: reverse the log to stand for that.
        Path log = library.resolve(".dsv/meta/log");
        List<String> lines = new ArrayList<>(Files.readAllLines(log));
        Collections.reverse(lines);
        Files.write(log, lines);

        JsonNode exports = ok(library, "exports", "log", "--json").json().path("exports");
        assertEquals(List.of("second", "first"),
                List.of(exports.get(0).path("target").asText(), exports.get(1).path("target").asText()));
    }

    @Test
    void reviewSampleExportIsLogged() {
        JsonNode sample = ok(library, "--json", "review", "sample", "--export", tmp.resolve("sheet-images").toString())
                .json();
        JsonNode exports = ok(library, "exports", "log", "--json").json().path("exports");
        assertEquals(1, exports.size(), exports.toString());
        assertEquals("review sample", exports.get(0).path("command").asText());
        assertEquals(sample.path("items").size(), exports.get(0).path("images").asInt(), sample.toString());
        assertEquals("sheet-images", exports.get(0).path("target").asText());
    }

    @Test
    void failedExportIsNotLogged() {
        CliResult r = Dsv.run(library, "export", "--out", tmp.resolve("x").toString(), "--cell-type", "nosuch");
        JsonNode exports = ok(library, "exports", "log", "--json").json().path("exports");
        assertEquals(0, exports.size(), r + "\n" + exports);
    }

    @Test
    void textLineNamesCommitAndCount() {
        ok(library, "export", "--out", tmp.resolve("one").toString(), "--cell-type", "poly");
        String text = ok(library, "exports", "log").out();
        assertTrue(text.contains("erin"), text);
        assertTrue(text.contains("30 images"), text);
    }
}
