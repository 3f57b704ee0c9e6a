package dev.dsv.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.Images;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dsv quality drift --guideline}: figures cut by the guideline version the labels followed. */
class DriftGuidelineTest {
    @TempDir
    Path tmp;

    Path library;

    private CliResult ok(String... args) {
        CliResult r = Dsv.run(library, args);
        assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r);
        return r;
    }

    @BeforeEach
    void setUp() throws Exception {
        library = tmp.resolve("lib");
        assertEquals(0, Dsv.run(tmp, "init", "lib").exitCode());
        ok("switch", "-c", "work");
        Files.writeString(tmp.resolve("v1.md"), "Call every visible crack defective.\n");
        Files.writeString(tmp.resolve("v2.md"), "Call a crack defective only when it isolates an area.\n");
        ok("guideline", "add", "../v1.md", "--version", "v1");
        ok("guideline", "add", "../v2.md", "--version", "v2");
        Images.copySample(tmp.resolve("old"), 6);
        ok("add", "../old", "--cell-type", "mono", "--source", "production", "--labeler", "lab-a",
                "--defect", "defective", "--guideline", "v1");
        Path fresh = tmp.resolve("new");
        Files.createDirectories(fresh);
        for (Path p : Images.sampleImages().subList(6, 10)) {
            Files.copy(p, fresh.resolve(p.getFileName()));
        }
        ok("add", "../new", "--cell-type", "mono", "--source", "production", "--labeler", "lab-a",
                "--guideline", "v2");
        ok("commit", "-m", "labels under two guidelines");
    }

    private static JsonNode onlyMonth(JsonNode drift) {
        JsonNode labelers = drift.path("labelers");
        assertEquals(1, labelers.size(), drift.toString());
        JsonNode months = labelers.get(0).path("months");
        assertEquals(1, months.size(), drift.toString());
        return months.get(0);
    }

    @Test
    void eachGuidelineCountsItsOwnRecords() {
        JsonNode all = onlyMonth(ok("--json", "quality", "drift").json());
        assertEquals(10, all.path("labels").asInt());
        JsonNode v1 = ok("--json", "quality", "drift", "--guideline", "v1").json();
        assertEquals("v1", v1.path("guideline").asText());
        assertEquals(6, onlyMonth(v1).path("labels").asInt());
        assertEquals(1.0, onlyMonth(v1).path("defect_rate").path("value").asDouble());
        JsonNode v2 = onlyMonth(ok("--json", "quality", "drift", "--guideline", "v2").json());
        assertEquals(4, v2.path("labels").asInt());
        assertEquals(0.0, v2.path("defect_rate").path("value").asDouble());
        JsonNode none = ok("--json", "quality", "drift", "--guideline", "none").json();
        assertEquals(0, none.path("labelers").size(), "every record names a guideline");
    }

    @Test
    void unknownGuidelineRejected() {
        CliResult r = Dsv.run(library, "quality", "drift", "--guideline", "v9");
        assertEquals(5, r.exitCode(), r.toString());
        assertTrue(r.err().contains("v9"), r.toString());
        assertTrue(r.err().contains("v1"), "the known versions are listed: " + r);
    }
}
