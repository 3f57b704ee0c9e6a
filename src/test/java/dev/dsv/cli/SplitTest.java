package dev.dsv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.ElpvLabels;
import dev.dsv.testing.Images;
import dev.dsv.testing.RepoSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** dsv split: by group, with ratios per stratum, reproducible from the seed, and splits only. */
class SplitTest {
    @TempDir
    Path tmp;

    Path library;

    @BeforeEach
    void setUp() throws Exception {
        library = tmp.resolve("lib");
        assertEquals(0, Dsv.run(tmp, "init", "lib").exitCode());
        ok("switch", "-c", "work");
        // The 60 sample images, three cells per module, with their ELPV cell type and defect.
        StringBuilder csv = new StringBuilder("path,cell_type,defects,module_id\n");
        Map<String, ElpvLabels.Row> rows = readSampleLabels();
        int i = 0;
        for (Path p : Images.sampleImages()) {
            String name = p.getFileName().toString();
            ElpvLabels.Row row = rows.get(name);
            csv.append(name).append(',').append(row.cellType()).append(',')
                    .append(row.defect().equals("none") ? "" : row.defect()).append(",M").append(i++ / 3).append('\n');
        }
        Files.writeString(tmp.resolve("labels.csv"), csv.toString());
        ok("add", Images.SAMPLE.resolve("images").toString(), "--prefix", "cells", "--labels", "../labels.csv",
                "--source", "production", "--labeler", "lab-01");
        ok("commit", "-m", "sample without splits");
    }

    private static Map<String, ElpvLabels.Row> readSampleLabels() throws Exception {
        Map<String, ElpvLabels.Row> out = new HashMap<>();
        for (String line : Files.readAllLines(Images.SAMPLE.resolve("labels.csv"))) {
            String[] f = line.split(",");
            if (!f[0].equals("path")) {
                out.put(f[0], new ElpvLabels.Row(f[0], f[3], f[1]));
            }
        }
        return out;
    }

    private CliResult ok(String... args) {
        CliResult r = Dsv.run(library, args);
        assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r);
        return r;
    }

    private JsonNode split(String seed) {
        return ok("--json", "split", "--group-key", "attr:module_id", "--ratios", "0.6,0.2,0.2", "--seed", seed,
                "--stratify", "cell-type,defect").json();
    }

    private String tree(String rev) {
        return ok("--json", "log", rev, "-n", "1").json().path("commits").get(0).path("tree").asText();
    }

    @Test
    void sameSeedSameSplitOtherSeedOther() {
        ok("branch", "again");
        ok("branch", "other");
        JsonNode first = split("s1");
        assertEquals(60, first.path("images").asInt());
        assertEquals(20, first.path("groups").asInt());
        String tree1 = tree("work");

        ok("switch", "again");
        split("s1");
        assertEquals(tree1, tree("again"), "same seed, same images: same tree");

        ok("switch", "other");
        split("s2");
        assertNotEquals(tree1, tree("other"), "another seed orders the groups differently");
    }

    @Test
    void noGroupInTwoSplitsAndRatiosKept() {
        JsonNode r = split("seed-7");
        JsonNode leak = Dsv.run(library, "--json", "leakage", "--no-near", "--group-key", "attr:module_id").json();
        assertEquals(0, leak.path("group_leakage").path("count").asInt(), leak.toString());
        assertEquals(20, leak.path("group_leakage").path("groups").asInt());

        // Each stratum gets within one group (3 images) of its target per split, so with at most
        // 4 strata the whole split is within 4 x 3 images of ratio x 60.
        JsonNode bySplit = r.path("images_by_split");
        int strata = r.path("strata").asInt();
        assertTrue(strata >= 2 && strata <= 4, r.toString());
        assertEquals(60, bySplit.path("train").asInt() + bySplit.path("val").asInt() + bySplit.path("test").asInt());
        assertTrue(Math.abs(bySplit.path("train").asInt() - 36) <= 3 * strata, r.toString());
        assertTrue(Math.abs(bySplit.path("val").asInt() - 12) <= 3 * strata, r.toString());
        assertTrue(Math.abs(bySplit.path("test").asInt() - 12) <= 3 * strata, r.toString());
    }

    @Test
    void splitCommitChangesSplitsOnly() {
        JsonNode before = ok("--json", "ls").json();
        split("seed-1");
        JsonNode after = ok("--json", "ls").json();
        assertEquals(before.path("count").asInt(), after.path("count").asInt());
        for (int i = 0; i < before.path("images").size(); i++) {
            JsonNode b = before.path("images").get(i);
            JsonNode a = after.path("images").get(i);
            assertEquals(b.path("path").asText(), a.path("path").asText());
            assertEquals(b.path("label").asText(), a.path("label").asText(), "label record kept: " + a);
            assertEquals(b.path("sha256").asText(), a.path("sha256").asText());
            assertEquals(b.path("attributes"), a.path("attributes"));
        }
        JsonNode diff = ok("--json", "diff", "HEAD~1", "HEAD").json();
        assertEquals(60, diff.path("counts").path("resplit").asInt(), diff.path("counts").toString());
        assertEquals(0, diff.path("counts").path("relabeled").asInt());
        assertEquals(0, diff.path("counts").path("facts").asInt());
        assertEquals(0, diff.path("counts").path("replaced").asInt());
        for (JsonNode c : diff.path("changes")) {
            assertEquals("[\"resplit\"]", c.path("kinds").toString(), c.toString());
        }
    }

    @Test
    void imagesWithoutKeyAreCounted() {
        ok("set", "cells/cell0001.png", "cells/cell0002.png", "--unset-attr", "module_id");
        ok("commit", "-m", "two cells lose their module");
        JsonNode r = split("seed-3");
        assertEquals(2, r.path("unkeyed").asInt(), r.toString());
        ok("set", "cells/cell0003.png", "--unset-attr", "module_id");
        ok("commit", "-m", "a third");
        CliResult text = ok("split", "--group-key", "attr:module_id", "--ratios", "0.6,0.2,0.2", "--seed", "seed-9");
        assertTrue(text.out().contains("3 images have no value for attr:module_id"), text.toString());
    }

    @Test
    void rejectedSplitsChangeNothing() throws Exception {
        Map<String, String> before = RepoSnapshot.of(library);
        CliResult ratios = Dsv.run(library, "split", "--group-key", "module_id", "--ratios", "0.8,0.1", "--seed", "1");
        assertEquals(2, ratios.exitCode(), ratios.toString());
        CliResult noKey = Dsv.run(library, "split", "--ratios", "0.8,0.1,0.1", "--seed", "1");
        assertEquals(2, noKey.exitCode(), noKey.toString());
        CliResult stratify = Dsv.run(library, "split", "--group-key", "module_id", "--ratios", "0.8,0.1,0.1",
                "--seed", "1", "--stratify", "labeler");
        assertEquals(2, stratify.exitCode(), stratify.toString());
        CliResult noSuch = Dsv.run(library, "split", "--group-key", "attr:nosuch", "--ratios", "0.8,0.1,0.1",
                "--seed", "1");
        assertEquals(3, noSuch.exitCode(), noSuch.toString());
        assertTrue(noSuch.err().contains("group key attr:nosuch (60 images)"), noSuch.toString());
        assertEquals(before, RepoSnapshot.of(library));

        ok("set", "cells/cell0001.png", "--attr", "line=3");
        Map<String, String> staged = RepoSnapshot.of(library);
        CliResult dirty = Dsv.run(library, "split", "--group-key", "module_id", "--ratios", "0.8,0.1,0.1", "--seed", "1");
        assertEquals(3, dirty.exitCode(), dirty.toString());
        assertTrue(dirty.err().contains("staged"), dirty.toString());
        assertEquals(staged, RepoSnapshot.of(library));

        ok("switch", "main", "--discard-staged");
        CliResult onMain = Dsv.run(library, "split", "--group-key", "module_id", "--ratios", "0.8,0.1,0.1", "--seed", "1");
        assertEquals(12, onMain.exitCode(), onMain.toString());
    }
}
