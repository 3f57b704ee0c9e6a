package dev.dsv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dsv.store.FileIo;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.FaultyFileIo;
import dev.dsv.testing.FileTrees;
import dev.dsv.testing.Images;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fails every file write, fsync, rename and delete of a command in turn (a disk that is full or
 * returns EIO at call N) and checks after each: the command exits with 10 and names the error,
 * fsck is clean, the earlier commit is intact, and re-running the command completes.
 *
 * <p>The default run tries every third call ({@code -Ddsv.faultStride=3}) to stay short;
 * {@code scripts/torture-io} runs it with stride 1, every call.
 */
class IoFaultSweepTest {
    private static final int STRIDE = Integer.getInteger("dsv.faultStride", 3);

    @TempDir
    Path tmp;

    @AfterEach
    void restoreFileIo() {
        FileIo.install(FileIo.SYSTEM);
    }

    private static CliResult ok(Path dir, String... args) {
        CliResult r = Dsv.run(dir, args);
        assertEquals(0, r.exitCode(), String.join(" ", args) + "\n" + r);
        return r;
    }

    /** Writes a folder with sample images {@code from} to {@code to} (exclusive) and their labels. */
    private Path batch(String name, int from, int to) throws IOException {
        Path folder = tmp.resolve(name);
        Files.createDirectories(folder.resolve("images"));
        List<String> lines = Files.readAllLines(Images.SAMPLE.resolve("labels.csv"));
        StringBuilder csv = new StringBuilder(lines.get(0)).append('\n');
        List<Path> images = Images.sampleImages();
        for (int i = from; i < to; i++) {
            Path image = images.get(i);
            Files.copy(image, folder.resolve("images").resolve(image.getFileName()));
            String row = lines.stream().filter(l -> l.startsWith(image.getFileName() + ",")).findFirst().orElseThrow();
            csv.append(row).append('\n');
        }
        Files.writeString(folder.resolve("labels.csv"), csv);
        return folder;
    }

    private static String[] add(Path batch) {
        return new String[] {"add", batch.resolve("images").toString(), "--labels", batch.resolve("labels.csv").toString(),
            "--prefix", batch.getFileName().toString(), "--source", "production", "--labeler", "lab-01"};
    }

    /** One sweep's counts: fault points tried, and how many of them the command survived by retrying. */
    record Sweep(int points, int succeededAnyway) {
    }

    /**
     * Runs {@code commands} on copies of {@code base}, failing call N for N = 1, 2, ... until a
     * run makes fewer than N calls. Returns the number of fault points tried.
     */
    private Sweep sweep(Path base, String baseCommit, int expectedImages, List<String[]> commands) throws IOException {
        int points = 0;
        int survived = 0;
        for (int n = 1; ; n += STRIDE) {
            Path lib = tmp.resolve("sweep-" + n);
            FileTrees.copy(base, lib);
            FaultyFileIo.Fault fault = n % 2 == 0 ? FaultyFileIo.Fault.NO_SPACE : FaultyFileIo.Fault.IO_ERROR;
            FaultyFileIo io = new FaultyFileIo(n, fault);
            FileIo.install(io);
            CliResult failed = null;
            for (String[] command : commands) {
                CliResult r = Dsv.run(lib, command);
                if (r.exitCode() != 0) {
                    failed = r;
                    break;
                }
            }
            FileIo.install(FileIo.SYSTEM);
            if (io.failedCall() == null) {
                assertEquals(null, failed, "no fault was injected, yet the command failed");
                deleteTree(lib);
                return new Sweep(points, survived);
            }
            points++;
            String where = "fault " + n + " (" + fault + " at " + io.failedCall() + ")";
            if (failed == null) {
                survived++;
            } else {
                assertEquals(10, failed.exitCode(), where + "\n" + failed);
                assertTrue(failed.err().contains(fault.reason), where + "\n" + failed);
            }
            CliResult fsck = Dsv.run(lib, "fsck");
            assertEquals(0, fsck.exitCode(), where + ": fsck after the failure\n" + fsck);
            assertEquals(0, Dsv.run(lib, "verify", baseCommit).exitCode(), where + ": earlier commit damaged");
            for (String[] command : commands) {
                CliResult again = Dsv.run(lib, command);
                boolean committedBefore = command[0].equals("commit") && again.exitCode() == 9;
                assertTrue(again.exitCode() == 0 || committedBefore, where + ": re-run " + String.join(" ", command) + "\n" + again);
            }
            assertEquals(0, Dsv.run(lib, "fsck").exitCode(), where + ": fsck after the re-run");
            assertEquals(expectedImages, imageCount(lib), where);
            deleteTree(lib);
        }
    }

    private static int imageCount(Path lib) {
        int total = 0;
        for (var s : ok(lib, "--json", "ls", "--summary").json().path("sub_libraries")) {
            total += s.path("images").asInt();
        }
        return total;
    }

    private Path baseRepository() throws IOException {
        ok(tmp, "init", "base");
        Path base = tmp.resolve("base");
        ok(base, "switch", "-c", "work");
        ok(base, add(batch("first", 0, 10)));
        ok(base, "commit", "-m", "first");
        return base;
    }

    private static String head(Path lib) {
        return ok(lib, "--json", "log", "-n", "1").json().path("commits").get(0).path("id").asText();
    }

    @Test
    void addAndCommitFailCleanlyAtEveryWrite() throws IOException {
        Path base = baseRepository();
        Path second = batch("second", 10, 20);

        Sweep s = sweep(base, head(base), 20, List.of(add(second), new String[] {"commit", "-m", "second"}));

        System.out.println("io-fault-sweep: add+commit, " + s.points() + " fault points, " + s.succeededAnyway() + " survived");
        assertTrue(s.points() * STRIDE > 20, "too few writes counted: " + s);
    }

    @Test
    void gcFailsCleanlyAtEveryWrite() throws IOException {
        Path base = baseRepository();
        ok(base, add(batch("dropped", 10, 20)));
        ok(base, "rm", "dropped");
        ok(base, add(batch("kept", 20, 25)));
        ok(base, "commit", "-m", "kept");

        Sweep s = sweep(base, head(base), 15, List.<String[]>of(new String[] {"gc", "--grace", "0"}));

        System.out.println("io-fault-sweep: gc, " + s.points() + " fault points, " + s.succeededAnyway() + " survived");
        assertTrue(s.points() * STRIDE > 5, "too few writes counted: " + s);
    }

    @Test
    void pushFailsCleanlyAtEveryWrite() throws IOException {
        Path base = baseRepository();
        ok(base, "remote", "add", "origin", tmp.resolve("remote").toString());
        ok(base, "push", "origin", "work");
        ok(base, add(batch("second", 10, 20)));
        ok(base, "commit", "-m", "second");
        // The remote folder lies outside the copied repository, so each run starts from a fresh copy of it too.
        Path remoteBase = tmp.resolve("remote-base");
        FileTrees.copy(tmp.resolve("remote"), remoteBase);
        List<String[]> push = new ArrayList<>();
        push.add(new String[] {"push", "origin", "work"});

        int points = 0;
        int survived = 0;
        for (int n = 1; ; n += STRIDE) {
            deleteTree(tmp.resolve("remote"));
            FileTrees.copy(remoteBase, tmp.resolve("remote"));
            Sweep one = sweepOne(base, head(base), push, n);
            if (one == null) {
                break;
            }
            points += one.points();
            survived += one.succeededAnyway();
            CliResult fsckRemote = Dsv.run(tmp.resolve("sweep-" + n), "fsck", "--remote", "origin");
            assertEquals(0, fsckRemote.exitCode(), "remote after fault " + n + "\n" + fsckRemote);
            deleteTree(tmp.resolve("sweep-" + n));
        }
        System.out.println("io-fault-sweep: push, " + points + " fault points, " + survived + " survived");
        assertTrue(points * STRIDE > 5, "too few writes counted: " + points);
    }

    /** Runs one fault point of a sweep; returns null when the command made fewer than {@code n} calls. */
    private Sweep sweepOne(Path base, String baseCommit, List<String[]> commands, int n) throws IOException {
        Path lib = tmp.resolve("sweep-" + n);
        FileTrees.copy(base, lib);
        FaultyFileIo.Fault fault = n % 2 == 0 ? FaultyFileIo.Fault.NO_SPACE : FaultyFileIo.Fault.IO_ERROR;
        FaultyFileIo io = new FaultyFileIo(n, fault);
        FileIo.install(io);
        CliResult r = Dsv.run(lib, commands.get(0));
        FileIo.install(FileIo.SYSTEM);
        if (io.failedCall() == null) {
            assertEquals(0, r.exitCode(), r.toString());
            return null;
        }
        String where = "fault " + n + " (" + fault + " at " + io.failedCall() + ")";
        if (r.exitCode() != 0) {
            assertEquals(10, r.exitCode(), where + "\n" + r);
            assertTrue(r.err().contains(fault.reason), where + "\n" + r);
        }
        assertEquals(0, Dsv.run(lib, "fsck").exitCode(), where + ": fsck after the failure");
        assertEquals(0, Dsv.run(lib, "verify", baseCommit).exitCode(), where + ": earlier commit damaged");
        CliResult again = Dsv.run(lib, commands.get(0));
        assertEquals(0, again.exitCode(), where + ": re-run\n" + again);
        assertNotNull(Dsv.run(lib, "status"));
        return new Sweep(1, r.exitCode() == 0 ? 1 : 0);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
