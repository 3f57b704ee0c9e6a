package dev.dsv.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.DsvProcess;
import dev.dsv.testing.ElpvLabels;
import dev.dsv.testing.Images;
import dev.dsv.testing.ReviewFlow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills dsv with SIGKILL at seeded random points of an add and of a commit, then checks that the
 * repository is valid (fsck clean), that committed data is intact, and that re-running the
 * command completes. The full torture run with hundreds of kill points belongs to a script; this
 * is the reduced version for the default suite.
 */
class KillSafetyIT {
    private static final long SEED = 20261204L;
    private static final int KILLS_PER_COMMAND = 4;

    @TempDir
    Path tmp;

    private static CliResult ok(Path dir, String... args) {
        CliResult r = DsvProcess.run(dir, args);
        assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r);
        return r;
    }

    private void killAfter(Path lib, long millis, String... args) throws Exception {
        Process p = DsvProcess.start(lib, Map.of(), tmp.resolve("out.txt"), tmp.resolve("err.txt"), args);
        Thread.sleep(millis);
        p.destroyForcibly();
        p.waitFor();
    }

    private void assertValid(Path lib, String committedId, int committedImages) {
        JsonNode fsck = ok(lib, "--json", "fsck").json();
        assertTrue(fsck.path("ok").asBoolean(), fsck.toString());
        JsonNode ls = ok(lib, "--json", "ls", committedId, "--summary").json();
        int total = 0;
        for (JsonNode s : ls.path("sub_libraries")) {
            total += s.path("images").asInt();
        }
        assertEquals(committedImages, total);
        ok(lib, "status");
    }

    @Test
    void killedAddAndCommitLeaveValidRepository() throws Exception {
        SplittableRandom random = new SplittableRandom(SEED);
        ok(tmp, "init", "lib");
        ok(tmp.resolve("lib"), "switch", "-c", "work");
        Path lib = tmp.resolve("lib");
        ok(lib, "add", Images.SAMPLE.resolve("images").toString(), "--labels", Images.SAMPLE.resolve("labels.csv").toString(),
                "--source", "production", "--labeler", "elpv-experts");
        String base = ok(lib, "--json", "commit", "-m", "sample").json().path("commit").path("id").asText();

        Path labels = ElpvLabels.writeDsvCsv(tmp.resolve("elpv.csv"));
        String[] add = {"add", Images.ELPV.resolve("images").toString(), "--labels", labels.toString(),
            "--prefix", "elpv", "--source", "production", "--labeler", "elpv-experts"};
        for (int i = 0; i < KILLS_PER_COMMAND; i++) {
            long at = 300 + random.nextInt(2700);
            killAfter(lib, at, add);
            System.out.println("kill-safety: add killed after " + at + " ms");
            assertValid(lib, base, 60);
        }
        JsonNode added = DsvProcess.run(lib, prefixJson(add)).json();
        assertTrue(added.path("added").asInt() + added.path("unchanged").asInt() == 2624, added.toString());

        for (int i = 0; i < KILLS_PER_COMMAND; i++) {
            long at = 200 + random.nextInt(1300);
            killAfter(lib, at, "commit", "-m", "ELPV");
            System.out.println("kill-safety: commit killed after " + at + " ms");
            String head = ok(lib, "--json", "log", "-n", "1").json().path("commits").get(0).path("id").asText();
            assertValid(lib, base, 60);
            if (!head.equals(base)) {
                assertValid(lib, head, 60 + 2624);
                assertTrue(ok(lib, "status").out().contains("Nothing staged"));
                return;
            }
        }
        String head = ok(lib, "--json", "commit", "-m", "ELPV").json().path("commit").path("id").asText();
        assertValid(lib, head, 60 + 2624);
        assertTrue(Files.isDirectory(lib.resolve(".dsv/objects/pack")));
    }

    @Test
    void killedPromoteIsAllOrNothing() throws Exception {
        SplittableRandom random = new SplittableRandom(SEED + 1);
        ok(tmp, "init", "lib");
        Path lib = tmp.resolve("lib");
        ok(lib, "switch", "-c", "batch");
        Path labels = ElpvLabels.writeDsvCsv(tmp.resolve("elpv.csv"));
        ok(lib, "add", Images.ELPV.resolve("images").toString(), "--labels", labels.toString(), "--source", "production",
                "--labeler", "elpv-experts");
        String candidate = ok(lib, "--json", "commit", "-m", "ELPV").json().path("commit").path("id").asText();
        ReviewFlow.addVerifier(DsvProcess::run, lib, "senior-01");
        ReviewFlow.passAll(DsvProcess::run, lib, candidate, "senior-01");
        for (int i = 0; i < KILLS_PER_COMMAND; i++) {
            long at = 200 + random.nextInt(1500);
            killAfter(lib, at, "promote", "batch");
            System.out.println("kill-safety: promote killed after " + at + " ms");
            CliResult main = DsvProcess.run(lib, "--json", "log", "main", "-n", "1");
            if (main.exitCode() == 0) {
                assertEquals(candidate, main.json().path("commits").get(0).path("id").asText());
                assertTrue(ok(lib, "--json", "fsck").json().path("ok").asBoolean());
                return;
            }
            assertEquals(5, main.exitCode(), "main has no commit yet, or the promoted one: " + main);
            assertTrue(ok(lib, "--json", "fsck").json().path("ok").asBoolean());
        }
        ok(lib, "promote", "batch");
        assertTrue(ok(lib, "--json", "fsck").json().path("ok").asBoolean());
    }

    private static String[] prefixJson(String[] args) {
        String[] out = new String[args.length + 1];
        out[0] = "--json";
        System.arraycopy(args, 0, out, 1, args.length);
        return out;
    }
}
