package dev.dsv.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.DsvProcess;
import dev.dsv.testing.ElpvLabels;
import dev.dsv.testing.Images;
import dev.dsv.testing.OperationLog;
import dev.dsv.torture.ConcurrentTorture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several dsv processes on one repository at once: writers wait for one another or give up with
 * the "locked" exit code in time, readers see only whole commits, and nothing is lost. The last
 * test is the reduced torture run; {@code scripts/torture-concurrent} runs the full one.
 */
class ConcurrentWritersIT {
    @TempDir
    Path tmp;

    @Test
    void secondWriterWaitsThenSucceeds() throws Exception {
        assertEquals(0, DsvProcess.run(tmp, "init", "lib").exitCode());
        assertEquals(0, DsvProcess.run(tmp.resolve("lib"), "switch", "-c", "work").exitCode());
        Path lib = tmp.resolve("lib");
        Path labels = ElpvLabels.writeDsvCsv(tmp.resolve("elpv.csv"));
        Process big = DsvProcess.start(lib, Map.of(), tmp.resolve("big.out"), tmp.resolve("big.err"),
                "add", Images.ELPV.resolve("images").toString(), "--labels", labels.toString(), "--prefix", "elpv",
                "--source", "production", "--labeler", "elpv-experts");
        Thread.sleep(800);
        CliResult small = DsvProcess.run(lib, "--lock-timeout", "120", "add", Images.SAMPLE.resolve("images").toString(),
                "--labels", Images.SAMPLE.resolve("labels.csv").toString(), "--prefix", "sample",
                "--source", "production", "--labeler", "lab-02");
        assertTrue(big.waitFor(5, TimeUnit.MINUTES));
        assertEquals(0, big.exitValue(), Files.readString(tmp.resolve("big.err"), StandardCharsets.UTF_8));
        assertEquals(0, small.exitCode(), small.toString());

        JsonNode status = DsvProcess.run(lib, "--json", "status").json();
        assertEquals(2624 + 60, status.path("counts").path("added").asInt(), status.toString());
        assertEquals(0, DsvProcess.run(lib, "commit", "-m", "both batches").exitCode());
        assertTrue(DsvProcess.run(lib, "--json", "fsck").json().path("ok").asBoolean());
    }

    @Test
    void secondWriterGivesUpNamingHolder() throws Exception {
        assertEquals(0, DsvProcess.run(tmp, "init", "lib").exitCode());
        Path lib = tmp.resolve("lib");
        assertEquals(0, DsvProcess.run(lib, "switch", "-c", "work").exitCode());
        // The holder is this test's JVM, so the lock is certainly held while the dsv process runs.
        try (dev.dsv.repo.Repository repo = dev.dsv.repo.Repository.open(lib);
             var held = repo.lockForWrite("long import", java.time.Duration.ofSeconds(1))) {
            CliResult refused = DsvProcess.run(lib, "--lock-timeout", "0", "commit", "-m", "too early");
            assertEquals(6, refused.exitCode(), refused.toString());
            assertTrue(refused.err().contains("pid " + ProcessHandle.current().pid()), refused.toString());
            assertTrue(refused.err().contains("'long import'"), refused.toString());
        }
        CliResult after = DsvProcess.run(lib, "commit", "-m", "nothing yet");
        assertEquals(9, after.exitCode(), "once released, the next writer gets the lock: " + after);
    }

    @Test
    void mixedProcessesLeaveConsistentRepository() throws Exception {
        ConcurrentTorture.Report report = new ConcurrentTorture(ConcurrentTorture.Settings.reduced(7), tmp).run();

        assertEquals(List.of(), report.problems());
        Set<String> ran = report.log().entries().stream().map(OperationLog.Entry::operation).collect(Collectors.toSet());
        for (String operation : List.of("switch", "add", "commit", "log", "ls", "show", "export", "export --verify",
                "gc", "fsck")) {
            assertTrue(ran.contains(operation), operation + " never ran: " + ran);
        }
    }
}
