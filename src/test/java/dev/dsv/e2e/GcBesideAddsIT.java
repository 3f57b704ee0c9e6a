package dev.dsv.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.DsvProcess;
import dev.dsv.testing.ElpvLabels;
import dev.dsv.testing.Images;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code dsv gc} (grace 0 and the default grace) in other processes while adds and commits
 * go on, then checks that no committed or staged object was lost: fsck is clean, every commit
 * verifies, and the last batch, added but not committed, is still staged whole.
 */
class GcBesideAddsIT {
    private static final int BATCHES = 4;
    private static final int PER_BATCH = 40;

    @TempDir
    Path tmp;

    private Path batch(int n, List<Path> images, Map<String, ElpvLabels.Row> rows) throws IOException {
        Path folder = tmp.resolve("b" + n);
        Files.createDirectories(folder.resolve("images"));
        StringBuilder csv = new StringBuilder("path,cell_type,defects,confidence\n");
        for (Path image : images.subList(n * PER_BATCH, (n + 1) * PER_BATCH)) {
            String name = image.getFileName().toString();
            Files.copy(image, folder.resolve("images").resolve(name));
            ElpvLabels.Row row = rows.get(name);
            csv.append(name).append(',').append(row.cellType()).append(',')
                    .append(row.defect().equals("none") ? "" : row.defect()).append(',').append(row.probability()).append('\n');
        }
        Files.writeString(folder.resolve("labels.csv"), csv);
        return folder;
    }

    @Test
    void gcBesideAddsLosesNothing() throws Exception {
        assertEquals(0, DsvProcess.run(tmp, "init", "lib").exitCode());
        Path lib = tmp.resolve("lib");
        assertEquals(0, DsvProcess.run(lib, "switch", "-c", "work").exitCode());
        List<Path> images;
        try (Stream<Path> files = Files.list(Images.ELPV.resolve("images"))) {
            images = files.sorted().toList();
        }
        Map<String, ElpvLabels.Row> rows = ElpvLabels.read();
        List<Path> batches = new ArrayList<>();
        for (int i = 0; i < BATCHES; i++) {
            batches.add(batch(i, images, rows));
        }

        AtomicBoolean writing = new AtomicBoolean(true);
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        List<String> commits = new ArrayList<>();
        List<Thread> collectors = new ArrayList<>();
        for (String grace : List.of("0", "1h")) {
            Thread t = new Thread(() -> {
                while (writing.get()) {
                    CliResult gc = DsvProcess.run(lib, "--lock-timeout", "300", "gc", "--grace", grace);
                    if (gc.exitCode() != 0) {
                        problems.add("gc --grace " + grace + ": " + gc);
                    }
                }
            });
            t.start();
            collectors.add(t);
        }
        try {
            for (int i = 0; i < BATCHES; i++) {
                Path b = batches.get(i);
                CliResult add = DsvProcess.run(lib, "--lock-timeout", "300", "add", b.resolve("images").toString(),
                        "--labels", b.resolve("labels.csv").toString(), "--prefix", "b" + i,
                        "--source", "production", "--labeler", "elpv-experts");
                assertEquals(0, add.exitCode(), add.toString());
                if (i < BATCHES - 1) {
                    CliResult commit = DsvProcess.run(lib, "--lock-timeout", "300", "--json", "commit", "-m", "batch " + i);
                    assertEquals(0, commit.exitCode(), commit.toString());
                    commits.add(commit.json().path("commit").path("id").asText());
                }
            }
        } finally {
            writing.set(false);
            for (Thread t : collectors) {
                t.join();
            }
        }

        assertTrue(problems.isEmpty(), String.join("\n", problems));
        JsonNode fsck = DsvProcess.run(lib, "--json", "fsck").json();
        assertTrue(fsck.path("ok").asBoolean(), fsck.toString());
        for (String id : commits) {
            CliResult verify = DsvProcess.run(lib, "verify", id);
            assertEquals(0, verify.exitCode(), verify.toString());
        }
        JsonNode status = DsvProcess.run(lib, "--json", "status").json();
        assertEquals(PER_BATCH, status.path("counts").path("added").asInt(), status.toString());
        CliResult last = DsvProcess.run(lib, "--json", "commit", "-m", "last batch");
        assertEquals(0, last.exitCode(), last.toString());
        assertEquals(0, DsvProcess.run(lib, "verify", last.json().path("commit").path("id").asText()).exitCode());
    }
}
