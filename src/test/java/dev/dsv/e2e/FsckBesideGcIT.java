package dev.dsv.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.DsvProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code dsv fsck} and {@code dsv reindex} in loops, each in its own process, while
 * {@code dsv gc --grace 0} rewrites the packs and a writer adds, removes and commits images.
 * Every fsck must pass and every reindex must succeed: a pack, link-cache file or stage tree
 * that gc removed while fsck read is not damage. Afterwards fsck passes, every commit verifies
 * and the last commit lists every committed image.
 */
class FsckBesideGcIT {
    private static final int ROUNDS = 4;
    private static final int PER_ROUND = 15;

    @TempDir
    Path tmp;

    /** Starts a thread that runs {@code args} in a loop until {@code running} is false, recording failures. */
    private static Thread loop(Path lib, AtomicBoolean running, AtomicInteger runs, ConcurrentLinkedQueue<String> problems,
                               String... args) {
        Thread t = new Thread(() -> {
            while (running.get()) {
                CliResult r = DsvProcess.run(lib, args);
                runs.incrementAndGet();
                if (r.exitCode() != 0) {
                    problems.add(String.join(" ", args) + " exited " + r.exitCode() + ": " + r);
                }
            }
        });
        t.start();
        return t;
    }

    @Test
    void fsckAndReindexBesideGcReportNothing() throws Exception {
        assertEquals(0, DsvProcess.run(tmp, "init", "lib").exitCode());
        Path lib = tmp.resolve("lib");
        assertEquals(0, DsvProcess.run(lib, "switch", "-c", "work").exitCode());
        List<Path> images;
        try (Stream<Path> files = Files.list(dev.dsv.testing.Images.ELPV.resolve("images"))) {
            images = files.sorted().limit((long) ROUNDS * PER_ROUND).toList();
        }

        AtomicBoolean running = new AtomicBoolean(true);
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        AtomicInteger gcRuns = new AtomicInteger();
        AtomicInteger fsckRuns = new AtomicInteger();
        AtomicInteger reindexRuns = new AtomicInteger();
        List<Thread> loops = new ArrayList<>();
        loops.add(loop(lib, running, gcRuns, problems, "--lock-timeout", "300", "gc", "--grace", "0"));
        loops.add(loop(lib, running, fsckRuns, problems, "--lock-timeout", "300", "fsck"));
        loops.add(loop(lib, running, reindexRuns, problems, "--lock-timeout", "300", "reindex"));
        int committed = 0;
        try {
            for (int round = 0; round < ROUNDS; round++) {
                Path batch = copy(images.subList(round * PER_ROUND, (round + 1) * PER_ROUND), "r" + round);
                Path scratch = copy(images.subList(round * PER_ROUND, round * PER_ROUND + 3), "s" + round);
                run(lib, "add", batch.toString(), "--cell-type", "mono", "--source", "production",
                        "--labeler", "anna", "--prefix", "r" + round);
                // A staged add removed again leaves tree nodes that only an older stage named: gc
                // deletes them while fsck may still walk that stage.
                run(lib, "add", scratch.toString(), "--cell-type", "poly", "--source", "production",
                        "--labeler", "anna", "--prefix", "scratch" + round);
                run(lib, "rm", "scratch" + round);
                run(lib, "commit", "-m", "round " + round);
                committed += PER_ROUND;
                // Export with hard links fills the link cache, which gc deletes while fsck hashes it.
                run(lib, "export", "--link", "hardlink", "--out", tmp.resolve("export-" + round).toString());
            }
        } finally {
            running.set(false);
            for (Thread t : loops) {
                t.join();
            }
        }

        assertTrue(problems.isEmpty(), problems.size() + " failed runs of " + gcRuns + " gc, " + fsckRuns
                + " fsck, " + reindexRuns + " reindex:\n" + String.join("\n", problems));
        assertTrue(fsckRuns.get() > 0, "fsck ran");
        assertTrue(reindexRuns.get() > 0, "reindex ran");
        JsonNode fsck = DsvProcess.run(lib, "--json", "fsck").json();
        assertTrue(fsck.path("ok").asBoolean(), fsck.toString());
        JsonNode log = DsvProcess.run(lib, "--json", "log").json();
        assertEquals(ROUNDS, log.path("commits").size(), log.toString());
        for (JsonNode commit : log.path("commits")) {
            CliResult verify = DsvProcess.run(lib, "verify", commit.path("id").asText());
            assertEquals(0, verify.exitCode(), verify.toString());
        }
        JsonNode ls = DsvProcess.run(lib, "--json", "ls").json();
        assertEquals(committed, ls.path("images").size(), ls.toString());
        System.out.printf("fsck beside gc: %d gc, %d fsck, %d reindex runs, load average %s%n", gcRuns.get(),
                fsckRuns.get(), reindexRuns.get(), Files.readString(Path.of("/proc/loadavg")).trim());
    }

    private Path copy(List<Path> files, String name) throws IOException {
        Path folder = tmp.resolve("in").resolve(name);
        Files.createDirectories(folder);
        for (Path f : files) {
            Files.copy(f, folder.resolve(f.getFileName()));
        }
        return folder;
    }

    private static void run(Path lib, String... args) {
        List<String> all = new ArrayList<>(List.of("--lock-timeout", "300"));
        all.addAll(List.of(args));
        CliResult r = DsvProcess.run(lib, all.toArray(String[]::new));
        assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r);
    }
}
