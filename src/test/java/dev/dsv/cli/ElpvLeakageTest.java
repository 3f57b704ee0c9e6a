package dev.dsv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.ElpvLabels;
import dev.dsv.testing.Images;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * All 2 624 ELPV images, eight consecutive cells per module (the module ids are assigned here):
 * split by module, then the leakage check over the whole set. Prints the near-duplicate pair
 * count that docs/leakage.md reports.
 */
class ElpvLeakageTest {
    @TempDir
    Path tmp;

    @Test
    void splitByModuleThenLeakageReport() throws Exception {
        Path library = tmp.resolve("lib");
        assertEquals(0, Dsv.run(tmp, "init", "lib").exitCode());
        StringBuilder csv = new StringBuilder("path,cell_type,defects,confidence,module_id\n");
        int i = 0;
        for (ElpvLabels.Row r : ElpvLabels.read().values()) {
            csv.append(r.file()).append(',').append(r.cellType()).append(',')
                    .append(r.defect().equals("none") ? "" : r.defect()).append(',').append(r.probability())
                    .append(",M").append(i++ / 8).append('\n');
        }
        Files.writeString(tmp.resolve("labels.csv"), csv.toString());
        ok(library, "switch", "-c", "work");
        ok(library, "add", Images.ELPV.resolve("images").toString(), "--prefix", "elpv", "--labels", "../labels.csv",
                "--source", "production", "--labeler", "elpv");
        ok(library, "commit", "-m", "ELPV");
        JsonNode split = ok(library, "--json", "split", "--group-key", "attr:module_id", "--ratios", "0.8,0.1,0.1",
                "--seed", "elpv", "--stratify", "cell-type,defect").json();
        assertEquals(2624, split.path("images").asInt());
        assertEquals(328, split.path("groups").asInt());
        // Each of the 4 strata ends within one module (8 images) of its targets.
        JsonNode by = split.path("images_by_split");
        assertTrue(Math.abs(by.path("train").asInt() - 0.8 * 2624) <= 4 * 8, split.toString());
        assertTrue(Math.abs(by.path("val").asInt() - 0.1 * 2624) <= 4 * 8, split.toString());
        assertTrue(Math.abs(by.path("test").asInt() - 0.1 * 2624) <= 4 * 8, split.toString());

        CliResult r = Dsv.run(library, "--json", "leakage", "--group-key", "attr:module_id");
        JsonNode report = r.json();
        JsonNode near = report.path("near_duplicates");
        assertEquals(0, report.path("exact_duplicates").path("count").asInt());
        assertEquals(0, report.path("group_leakage").path("count").asInt());
        assertEquals(2624, near.path("blobs").asInt());
        assertEquals(near.path("count").asInt(), near.path("pairs").size());
        double previous = 2;
        for (JsonNode p : near.path("pairs")) {
            assertNotEquals(p.path("a").path("split").asText(), p.path("b").path("split").asText(), p.toString());
            assertTrue(p.path("correlation").asDouble() <= previous, "worst first");
            previous = p.path("correlation").asDouble();
        }
        assertEquals(near.path("count").asInt() > 0 ? 1 : 0, r.exitCode());
        System.out.printf("ELPV: %d near-duplicate pairs across splits (%d candidate pairs checked, %d images at"
                        + " the candidate limit)%n", near.path("count").asInt(), near.path("candidate_pairs").asInt(),
                near.path("blobs_at_candidate_limit").asInt());
    }

    private static CliResult ok(Path library, String... args) {
        CliResult r = Dsv.run(library, args);
        assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r);
        return r;
    }
}
