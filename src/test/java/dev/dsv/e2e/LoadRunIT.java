package dev.dsv.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dsv.testing.OperationLog;
import dev.dsv.torture.LoadRun;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CI-sized sustained run: a library of 400 generated images and a partial clone against the
 * loopback S3 server, each operation once. {@code scripts/torture-load} runs the full one.
 */
class LoadRunIT {
    @TempDir
    Path tmp;

    @Test
    void everyOperationOnceAgainstS3() throws Exception {
        LoadRun.Report report = new LoadRun(new LoadRun.Settings(3, 400, 0), tmp).run();
        report.operations().printTable(System.out);

        assertEquals(List.of(), report.problems());
        Set<String> ran = report.operations().entries().stream().map(OperationLog.Entry::operation)
                .collect(Collectors.toSet());
        for (String operation : List.of("add", "commit", "label set", "merge", "push", "pull", "fetch", "export",
                "ls --summary", "ls filtered", "status", "log", "peer add", "peer push", "peer fetch", "peer ls")) {
            assertTrue(ran.contains(operation), operation + " never ran: " + ran);
        }
    }
}
