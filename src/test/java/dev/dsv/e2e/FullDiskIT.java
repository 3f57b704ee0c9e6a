package dev.dsv.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reduced full-disk torture of the default run: {@code scripts/torture-full-disk} with two
 * free-space steps per command (add+commit, label import, export, push, gc) on a size-limited
 * tmpfs. Mounting needs root and a kernel that allows tmpfs mounts. Without them the test is
 * skipped with that reason.
 */
class FullDiskIT {
    @TempDir
    Path tmp;

    @Test
    void fullDiskLeavesValidRepository() throws Exception {
        assumeTrue(canMountTmpfs(), "mount -t tmpfs is not permitted here");
        Path log = tmp.resolve("torture.log");
        Process p = new ProcessBuilder("bash", "scripts/torture-full-disk", "2", tmp.resolve("work").toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        boolean finished = p.waitFor(30, TimeUnit.MINUTES);
        if (!finished) {
            p.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);

        assertTrue(finished, "timed out:\n" + output);
        assertEquals(0, p.exitValue(), output);
        assertTrue(output.contains("10 fault points, 0 failures"), output);
    }

    private boolean canMountTmpfs() throws Exception {
        Path probe = Files.createDirectories(tmp.resolve("probe"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", probe.toString())
                .redirectErrorStream(true)
                .start();
        mount.getInputStream().readAllBytes();
        if (mount.waitFor() != 0) {
            return false;
        }
        new ProcessBuilder("umount", probe.toString()).start().waitFor();
        return true;
    }
}
