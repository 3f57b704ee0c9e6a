package dev.dsv.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.TinyPng;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A smoke test of the scale design on 20 000 generated images in 9 cell-type folders: add,
 * commit, a one-image change and commit, a filtered ls and a no-op re-add. It prints the time of
 * each step; the timings are reported, never asserted (docs/benchmarks.md has the real benchmark).
 */
class ScaleSmokeIT {
    private static final int IMAGES = 20_000;
    private static final List<String> CELL_TYPES = List.of("PERC", "TOPCon", "HJT", "IBC", "Al-BSF", "mono", "poly",
            "MBB", "half-cut");
    private static final List<String> DEFECTS = List.of("", "microcrack", "finger-interruption", "dark-spot", "black-edge");

    @TempDir
    Path tmp;

    private long started;

    private CliResult timed(String step, Path dir, String... args) {
        long t0 = System.nanoTime();
        CliResult r = Dsv.run(dir, args);
        System.out.printf("scale-smoke %-28s %8.2f s%n", step, (System.nanoTime() - t0) / 1e9);
        assertEquals(0, r.exitCode(), step + "\n" + r);
        return r;
    }

    @Test
    void twentyThousandImages() throws IOException, InterruptedException {
        started = System.nanoTime();
        Path data = tmp.resolve("line-1");
        Map<String, Integer> expected = new TreeMap<>();
        try (Writer labels = Files.newBufferedWriter(tmp.resolve("labels.csv"))) {
            labels.write("path,cell_type,defects,split\n");
            for (int i = 0; i < IMAGES; i++) {
                String cell = CELL_TYPES.get(i % CELL_TYPES.size());
                String defect = DEFECTS.get((i / CELL_TYPES.size()) % DEFECTS.size());
                String split = i % 10 < 8 ? "train" : "test";
                Path folder = data.resolve(cell);
                if (i < CELL_TYPES.size()) {
                    Files.createDirectories(folder);
                }
                String name = String.format("cell-%06d.png", i);
                TinyPng.write(folder.resolve(name), 24, 24, i);
                labels.write(cell + "/" + name + "," + cell + "," + defect + "," + split + "\n");
                if (split.equals("train")) {
                    expected.merge(cell + "/" + (defect.isEmpty() ? "none" : defect), 1, Integer::sum);
                }
            }
        }
        System.out.printf("scale-smoke %-28s %8.2f s%n", "generate", (System.nanoTime() - started) / 1e9);
        // The stat cache does not keep files whose mtime is within 2 s of the add; on a fast machine
        // the last files written would be hashed again by the re-add below, so let them age first.
        Thread.sleep(2_100);

        assertEquals(0, Dsv.run(tmp, "init", "lib").exitCode());
        assertEquals(0, Dsv.run(tmp.resolve("lib"), "switch", "-c", "work").exitCode());
        Path lib = tmp.resolve("lib");
        String[] add = {"--json", "add", data.toString(), "--labels", tmp.resolve("labels.csv").toString(),
            "--source", "production", "--labeler", "lab-01", "--labeled-at", "2026-06-01T08:00:00+08:00"};
        JsonNode first = timed("add 20000", lib, add).json();
        assertEquals(IMAGES, first.path("added").asInt());
        timed("commit 20000", lib, "commit", "-m", "generated line 1");

        Path changed = data.resolve("HJT/cell-000002.png");
        TinyPng.write(changed, 24, 24, -1);
        // A file whose mtime or ctime is within 2 s of an add gets no stat cache row, so the next
        // add hashes it again (the stat cache does not trust same-tick times). Dating the mtime
        // back sets the ctime to now, so the add waits until the ctime is 2 s old. Then the no-op
        // re-add below hashes nothing.
        Files.setLastModifiedTime(changed, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 60_000));
        Thread.sleep(2_100);
        String[] replace = {"--json", "add", data.toString(), "--labels", tmp.resolve("labels.csv").toString(),
            "--replace", "--source", "production", "--labeler", "lab-01", "--labeled-at", "2026-06-01T08:00:00+08:00"};
        JsonNode change = timed("add after one change", lib, replace).json();
        assertEquals(1, change.path("replaced").asInt(), change.toString());
        assertEquals(1, change.path("hashed").asInt(), "only the changed file is re-hashed: " + change);
        JsonNode commit = timed("commit one change", lib, "--json", "commit", "-m", "replace one image").json();
        assertEquals(1, commit.path("counts").path("replaced").asInt());

        for (Map.Entry<String, Integer> e : expected.entrySet()) {
            if (!e.getKey().equals("TOPCon/microcrack")) {
                continue;
            }
            JsonNode ls = timed("ls TOPCon x microcrack", lib, "--json", "ls", "--cell-type", "TOPCon", "--defect",
                    "microcrack", "--split", "train").json();
            assertEquals(e.getValue().intValue(), ls.path("count").asInt());
        }
        JsonNode noop = timed("no-op re-add", lib, add).json();
        assertEquals(0, noop.path("staged").asInt(), noop.toString());
        assertEquals(0, noop.path("hashed").asInt(), noop.toString());
        JsonNode status = timed("status", lib, "--json", "status").json();
        assertEquals(0, status.path("changes").size());
    }
}
