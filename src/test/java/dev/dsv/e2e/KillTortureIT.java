package dev.dsv.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dsv.testing.KillTorture;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reduced kill torture of the default run: two rounds of add, commit, merge, promote,
 * rollback, gc, push and pull, each killed with SIGKILL at a seeded point and checked. The full
 * run with hundreds of kill points is {@code scripts/torture-kill}.
 */
class KillTortureIT {
    private static final long SEED = 20261205L;
    private static final int KILL_POINTS = 16;

    @TempDir
    Path tmp;

    @Test
    void everyKillPointLeavesValidRepository() throws Exception {
        KillTorture.Result r = new KillTorture(tmp, SEED, 8).run(KILL_POINTS);

        assertEquals(KILL_POINTS, r.attempts());
        assertTrue(r.failures().isEmpty(), "failed kill points: " + r.failures());
        assertTrue(r.killed() > 0, "no command was killed while it ran: " + r);
    }
}
