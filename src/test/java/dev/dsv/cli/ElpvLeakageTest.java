package dev.dsv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.ElpvLabels;
import dev.dsv.testing.Images;
import dev.dsv.testing.ImageCopies;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
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
        assertWorstFirst(near);
        // Both cell types have enough images for the second stage.
        assertTrue(near.path("residual_bases").has("mono"), near.toString());
        assertTrue(near.path("residual_bases").has("poly"), near.toString());
        int distinctPairs = near.path("count").asInt();
        assertEquals(distinctPairs > 0 ? 1 : 0, r.exitCode());
        // Few pairs among 2 624 distinct cells: before the second stage there were 7 233.
        assertTrue(distinctPairs <= MAX_DISTINCT_PAIRS, "pairs among distinct cells: " + distinctPairs);
        System.out.printf("ELPV: %d near-duplicate pairs across splits (%d candidate pairs checked, %d images at"
                        + " the candidate limit)%n", distinctPairs, near.path("candidate_pairs").asInt(),
                near.path("blobs_at_candidate_limit").asInt());

        // Copies of train cells planted in test: each is paired with its original, past the second stage.
        Map<String, String> planted = plantCopies(library);
        JsonNode after = Dsv.run(library, "--json", "leakage", "--group-key", "attr:module_id").json()
                .path("near_duplicates");
        assertWorstFirst(after);
        Map<String, Set<String>> found = new HashMap<>();
        for (JsonNode p : after.path("pairs")) {
            String a = p.path("a").path("path").asText();
            String b = p.path("b").path("path").asText();
            found.computeIfAbsent(a, k -> new HashSet<>()).add(b);
            found.computeIfAbsent(b, k -> new HashSet<>()).add(a);
            if (p.path("a").path("path").asText().startsWith("planted/")
                    || p.path("b").path("path").asText().startsWith("planted/")) {
                assertTrue(p.path("residual").isNumber(), p.toString());
            }
        }
        planted.forEach((copy, original) -> assertTrue(found.getOrDefault(copy, Set.of()).contains(original),
                "copy " + copy + " of " + original + ": " + found.get(copy)));
    }

    /** The maximum number of pairs of distinct ELPV cells the check may report (docs/leakage.md shows them). */
    private static final int MAX_DISTINCT_PAIRS = 150;

    private static void assertWorstFirst(JsonNode near) {
        double previous = 2;
        for (JsonNode p : near.path("pairs")) {
            assertNotEquals(p.path("a").path("split").asText(), p.path("b").path("split").asText(), p.toString());
            double rank = p.path("residual").isNumber() ? p.path("residual").asDouble() : p.path("correlation").asDouble();
            assertTrue(rank <= previous, "worst first: " + p);
            previous = rank;
        }
    }

    /**
     * Writes a re-encoded, a resized, a cropped and a re-exposed copy of each of two train cells
     * (one mono, one poly) into the test split and commits them. Returns copy path to original path.
     */
    private Map<String, String> plantCopies(Path library) throws Exception {
        Map<String, String> originals = new java.util.LinkedHashMap<>();
        for (JsonNode image : ok(library, "--json", "ls", "--split", "train").json().path("images")) {
            String type = image.path("cell_type").asText();
            if (!originals.containsValue(type) && image.path("path").asText().endsWith("0.png")) {
                originals.put(image.path("path").asText(), type);
            }
            if (originals.size() == 2) {
                break;
            }
        }
        Path folder = tmp.resolve("planted");
        Files.createDirectories(folder);
        StringBuilder csv = new StringBuilder("path,cell_type,defects,confidence\n");
        Map<String, String> copies = new java.util.LinkedHashMap<>();
        int n = 0;
        for (var e : originals.entrySet()) {
            BufferedImage image = ImageCopies.read(Images.ELPV.resolve("images")
                    .resolve(e.getKey().substring("elpv/".length())));
            int side = image.getWidth();
            String[] names = {n + "-jpeg.jpg", n + "-resize.png", n + "-crop.png", n + "-exposure.png"};
            ImageCopies.writeJpeg(image, 0.6f, folder.resolve(names[0]));
            ImageCopies.writePng(ImageCopies.resize(image, side * 2 / 3, side * 2 / 3), folder.resolve(names[1]));
            ImageCopies.writePng(ImageCopies.crop(image, 12, 5, 3, 9), folder.resolve(names[2]));
            ImageCopies.writePng(ImageCopies.exposure(image, 0.7, 40), folder.resolve(names[3]));
            for (String name : names) {
                csv.append(name).append(',').append(e.getValue()).append(",,1.0\n");
                copies.put("planted/" + name, e.getKey());
            }
            n++;
        }
        Files.writeString(tmp.resolve("planted.csv"), csv.toString());
        ok(library, "add", folder.toString(), "--prefix", "planted", "--labels", "../planted.csv", "--split", "test",
                "--source", "production", "--labeler", "elpv");
        ok(library, "commit", "-m", "planted copies");
        return copies;
    }

    private static CliResult ok(Path library, String... args) {
        CliResult r = Dsv.run(library, args);
        assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r);
        return r;
    }
}
