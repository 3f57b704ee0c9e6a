package dev.dsv.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dsv.repo.RepositoryLock;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.Images;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fsck beside a writer that is rewriting the index. A difference seen without the lock is
 * checked again under the writer lock, so an index that a reindex is rebuilding is not reported
 * as damaged. A real difference still is.
 */
class FsckBesideWriterTest {
    @TempDir
    Path tmp;

    private Path library() {
        assertEquals(0, Dsv.run(tmp, "init", "lib").exitCode());
        Path lib = tmp.resolve("lib");
        assertEquals(0, Dsv.run(lib, "switch", "-c", "work").exitCode());
        Path images = tmp.resolve("in");
        Images.copySample(images, 6);
        CliResult add = Dsv.run(lib, "add", images.toString(), "--cell-type", "mono", "--source", "production",
                "--labeler", "anna");
        assertEquals(0, add.exitCode(), add.toString());
        assertEquals(0, Dsv.run(lib, "commit", "-m", "six").exitCode());
        return lib;
    }

    /** Changes every commit message in the index file, as a half-done rewrite would leave it. */
    private static void damageIndex(Path lib) throws Exception {
        Path file = lib.resolve(".dsv").resolve("index.sqlite");
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement s = db.createStatement()) {
            s.execute("PRAGMA busy_timeout=30000");
            assertTrue(s.executeUpdate("UPDATE commits SET message = 'half rewritten'") > 0);
        }
    }

    private static boolean waitsForLock(Thread thread) {
        return Arrays.stream(thread.getStackTrace())
                .anyMatch(frame -> frame.getClassName().equals(RepositoryLock.class.getName()));
    }

    @Test
    void indexRewriteUnderLockNotReported() throws Exception {
        Path lib = library();
        try (Session writer = Session.open(lib)) {
            RepositoryLock lock = writer.lock("reindex");
            damageIndex(lib);
            AtomicReference<Thread> fsckThread = new AtomicReference<>();
            CompletableFuture<FsckService.Report> fsck = CompletableFuture.supplyAsync(() -> {
                fsckThread.set(Thread.currentThread());
                try (Session session = Session.open(lib)) {
                    return new FsckService(session, Progress.NONE).check();
                }
            });
            try {
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
                while (fsckThread.get() == null || !waitsForLock(fsckThread.get())) {
                    assertFalse(fsck.isDone(), "fsck finished without waiting for the writer lock: " + fsck.getNow(null));
                    assertTrue(System.nanoTime() < deadline, "fsck never waited for the writer lock");
                    Thread.sleep(20);
                }
                new ReindexService(writer).reindexLocked(false);
            } finally {
                lock.close();
            }
            FsckService.Report report = fsck.get(5, TimeUnit.MINUTES);
            assertTrue(report.indexProblems().isEmpty(), report.indexProblems().toString());
            assertTrue(report.clean(), report.toString());
        }
    }

    @Test
    void indexDamageStillReported() throws Exception {
        Path lib = library();
        damageIndex(lib);
        try (Session session = Session.open(lib)) {
            FsckService.Report report = new FsckService(session, Progress.NONE).check();
            assertEquals(1, report.indexProblems().size(), report.indexProblems().toString());
            assertTrue(report.indexProblems().get(0).startsWith("commits:"), report.indexProblems().toString());
        }
        assertTrue(Files.exists(lib.resolve(".dsv").resolve("index.sqlite")));
    }
}
