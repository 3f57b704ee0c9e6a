package dev.dsv.torture;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.DsvProcess;
import dev.dsv.testing.ImageBatch;
import dev.dsv.testing.OperationLog;
import dev.dsv.testing.TimedDsv;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Many real dsv processes on one repository at once. Writers switch to their own branch (one
 * switch in three discarding what is staged), add a batch of new images and commit. Readers list commits and read their trees, exporters export a
 * commit and verify the export, and a gc loop runs with no grace period. Afterwards it
 * checks that fsck is clean, that the reported commits of each branch are exactly its history
 * since the start (no lost update, no unreported commit), that every image a commit reported as
 * added is on its branch, that every commit a reader saw is still reachable, and that every writer
 * that gave up with the "locked" exit code waited at least its --lock-timeout and at most that plus
 * a slack, which covers JVM start-up and opening the repository (over a minute on an overloaded
 * machine).
 *
 * <p>The seed fixes what each worker does and in what order; the interleaving of the processes is
 * up to the OS scheduler, so two runs with one seed differ in timing.
 *
 * <p>Usage: {@code ConcurrentTorture SEED WRITERS ROUNDS READERS EXPORTERS SLACK_SECONDS WORKDIR};
 * exit 1 when a check failed. {@code scripts/torture-concurrent} runs it.
 */
public final class ConcurrentTorture {
    private static final int INVALID_INPUT = 3;
    private static final int LOCKED = 6;
    private static final int NOTHING_TO_COMMIT = 9;
    private static final String BASE_BRANCH = "base";

    /**
     * What to run. A writer uses {@code shortLockTimeout} seconds when its number is a multiple
     * of 3 (to provoke "locked" exits), else {@code longLockTimeout}; the gc loop alternates both.
     */
    public record Settings(long seed, int writers, int rounds, int readers, int exporters, int imagesPerAdd,
                           int shortLockTimeout, int longLockTimeout, long slackMillis) {
        /**
         * Returns the default-suite size: a few processes, a few rounds. The slack is 300 s
         * because at load average 60 on 2 cores a dsv process took up to 129 s before it
         * reached the lock.
         */
        public static Settings reduced(long seed) {
            return new Settings(seed, 3, 2, 1, 1, 5, 1, 120, 300_000);
        }
    }

    /** A commit that a dsv commit process reported on stdout. */
    private record ReportedCommit(String branch, String id, List<String> parents, int added) {
    }

    /** The outcome: every process run, and the checks that failed (empty when all held). */
    public record Report(OperationLog log, List<String> problems, int reportedCommits, int lockedExits,
                         long maxLockedOverrunMillis, int commitsSeenByReaders) {
    }

    private final Settings settings;
    private final Path work;
    private final Path lib;
    private final OperationLog log = new OperationLog();
    private final TimedDsv dsv;
    private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
    private final List<ReportedCommit> reported = Collections.synchronizedList(new ArrayList<>());
    private final Set<String> seenByReaders = ConcurrentHashMap.newKeySet();
    private final AtomicInteger lockedExits = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong maxLockedOverrun = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean writersDone;
    private String base;

    public ConcurrentTorture(Settings settings, Path work) {
        this.settings = settings;
        this.work = work;
        this.lib = work.resolve("lib");
        this.dsv = new TimedDsv(work.resolve("logs"), Map.of(), log);
    }

    /** Prints a line per finished dsv process while the run goes on. */
    public ConcurrentTorture printingProgressTo(java.io.PrintStream out) {
        dsv.printingTo(out);
        return this;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 7) {
            System.err.println("usage: ConcurrentTorture SEED WRITERS ROUNDS READERS EXPORTERS SLACK_SECONDS WORKDIR");
            System.exit(2);
        }
        Settings settings = new Settings(Long.parseLong(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]),
                Integer.parseInt(args[3]), Integer.parseInt(args[4]), 8, 1, 300, Long.parseLong(args[5]) * 1000);
        Path work = Path.of(args[6]);
        Files.createDirectories(work);
        System.out.println("settings: " + settings);
        System.out.println("loadavg before: " + Files.readString(Path.of("/proc/loadavg")).trim());
        long t0 = System.nanoTime();
        Report report = new ConcurrentTorture(settings, work).printingProgressTo(System.out).run();
        System.out.printf("wall: %.1f s%n", (System.nanoTime() - t0) / 1e9);
        System.out.println("loadavg after: " + Files.readString(Path.of("/proc/loadavg")).trim());
        report.log().printTable(System.out);
        System.out.printf("processes: %d, reported commits: %d, locked exits: %d (max wall time past the timeout:"
                + " %d ms), commits seen by readers: %d%n", report.log().entries().size(), report.reportedCommits(),
                report.lockedExits(), report.maxLockedOverrunMillis(), report.commitsSeenByReaders());
        System.out.println("problems: " + report.problems().size());
        report.problems().forEach(p -> System.out.println("  " + p));
        System.exit(report.problems().isEmpty() ? 0 : 1);
    }

    /** Sets up the repository, runs every worker to its end, then checks the repository. */
    public Report run() throws InterruptedException {
        setUp();
        List<Thread> writers = new ArrayList<>();
        for (int i = 1; i <= settings.writers(); i++) {
            int number = i;
            writers.add(worker("writer-" + i, () -> write(number)));
        }
        List<Thread> others = new ArrayList<>();
        for (int i = 1; i <= settings.readers(); i++) {
            int number = i;
            others.add(worker("reader-" + i, () -> read(number)));
        }
        for (int i = 1; i <= settings.exporters(); i++) {
            int number = i;
            others.add(worker("exporter-" + i, () -> export(number)));
        }
        others.add(worker("gc", this::collectGarbage));
        writers.forEach(Thread::start);
        others.forEach(Thread::start);
        for (Thread t : writers) {
            t.join();
        }
        writersDone = true;
        for (Thread t : others) {
            t.join();
        }
        checkAtEnd();
        return new Report(log, List.copyOf(problems), reported.size(), lockedExits.get(), maxLockedOverrun.get(),
                seenByReaders.size());
    }

    private Thread worker(String name, Runnable body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (RuntimeException e) {
                problems.add(name + " stopped: " + e);
            }
        }, name);
        t.setDaemon(true);
        return t;
    }

    private void setUp() {
        mustSucceed(DsvProcess.run(work, "init", "lib"), "init");
        mustSucceed(DsvProcess.run(lib, "switch", "-c", BASE_BRANCH), "switch -c base");
        Path batch = writeBatch("base", 0, 10);
        mustSucceed(DsvProcess.run(lib, "add", batch.toString(), "--labels", batch.resolve("labels.csv").toString(),
                "--source", "production", "--labeler", "lab-01"), "add base");
        CliResult commit = DsvProcess.run(lib, "--json", "commit", "-m", "base");
        mustSucceed(commit, "commit base");
        base = commit.json().path("commit").path("id").asText();
        for (int i = 1; i <= settings.writers(); i++) {
            mustSucceed(DsvProcess.run(lib, "branch", branchOf(i)), "branch " + branchOf(i));
        }
    }

    private static void mustSucceed(CliResult r, String step) {
        if (r.exitCode() != 0) {
            throw new IllegalStateException("set-up step '" + step + "' failed: " + r);
        }
    }

    private static String branchOf(int writer) {
        return "w" + writer;
    }

    /** Writes {@code count} distinct tiny PNGs and their labels.csv under work/batches/NAME. */
    private Path writeBatch(String name, long seedBase, int count) {
        Path folder = work.resolve("batches").resolve(name);
        ImageBatch.write(folder, seedBase, count, Integer.MAX_VALUE);
        return folder;
    }

    /**
     * Runs one dsv process in the repository and records it. An exit code outside {@code allowed}
     * is a problem.
     * When {@code lockTimeout} is not null and the process exits with "locked", its wall time
     * must lie between the timeout and the timeout plus the slack.
     */
    private CliResult dsv(String operation, Integer lockTimeout, Set<Integer> allowed, String... args) {
        List<String> all = new ArrayList<>();
        if (lockTimeout != null) {
            all.add("--lock-timeout");
            all.add(String.valueOf(lockTimeout));
        }
        all.addAll(List.of(args));
        TimedDsv.Run run = dsv.run(lib, operation, allowed, all.toArray(String[]::new));
        if (run.failed()) {
            problems.add(operation + " failed: " + run.detail());
        }
        if (run.exitCode() == LOCKED && lockTimeout != null) {
            lockedExits.incrementAndGet();
            long bound = lockTimeout * 1000L;
            maxLockedOverrun.accumulateAndGet(run.wallMillis() - bound, Math::max);
            if (run.wallMillis() < bound || run.wallMillis() > bound + settings.slackMillis()) {
                problems.add(operation + " exited 'locked' after " + run.wallMillis() + " ms, outside [" + bound
                        + ", " + (bound + settings.slackMillis()) + "] ms: " + run.detail());
            }
        }
        return run.result();
    }

    private void write(int writer) {
        SplittableRandom random = new SplittableRandom(settings.seed() * 1_000 + writer);
        int timeout = writer % 3 == 0 ? settings.shortLockTimeout() : settings.longLockTimeout();
        String branch = branchOf(writer);
        for (int round = 1; round <= settings.rounds(); round++) {
            // One switch in three discards what other writers staged; the others fail with exit 3
            // while anything is staged, so that staged adds usually reach a commit.
            if (random.nextInt(3) == 0) {
                dsv("switch", timeout, Set.of(0, LOCKED), "switch", "--discard-staged", branch);
            } else {
                dsv("switch", timeout, Set.of(0, INVALID_INPUT, LOCKED), "switch", branch);
            }
            int count = 1 + random.nextInt(settings.imagesPerAdd());
            // Distinct seeds for every writer and round, so no two batches share an image.
            long seedBase = settings.seed() * 1_000_000_007L + writer * 1_000_000L + round * 1_000L;
            Path batch = writeBatch(branch + "-r" + round, seedBase, count);
            dsv("add", timeout, Set.of(0, LOCKED), "--json", "add", batch.toString(), "--labels",
                    batch.resolve("labels.csv").toString(), "--source", "production", "--labeler", "lab-01");
            CliResult commit = dsv("commit", timeout, Set.of(0, LOCKED, NOTHING_TO_COMMIT), "--json", "commit", "-m",
                    branch + " round " + round);
            if (commit.exitCode() == 0) {
                JsonNode doc = commit.json();
                List<String> parents = new ArrayList<>();
                doc.path("commit").path("parents").forEach(p -> parents.add(p.asText()));
                reported.add(new ReportedCommit(doc.path("branch").asText(), doc.path("commit").path("id").asText(),
                        parents, doc.path("counts").path("added").asInt()));
            }
        }
    }

    private String randomBranch(SplittableRandom random) {
        int pick = random.nextInt(settings.writers() + 1);
        return pick == 0 ? BASE_BRANCH : branchOf(pick);
    }

    /** Lists commits and reads each listed commit's tree while the writers run. */
    private void read(int reader) {
        SplittableRandom random = new SplittableRandom(settings.seed() * 1_000 + 500 + reader);
        do {
            String branch = randomBranch(random);
            CliResult history = dsv("log", null, Set.of(0), "--json", "log", "-n", "3", branch);
            if (history.exitCode() != 0) {
                continue;
            }
            JsonNode commits = history.json().path("commits");
            commits.forEach(c -> seenByReaders.add(c.path("id").asText()));
            if (commits.isEmpty()) {
                problems.add("log of " + branch + " listed no commits");
                continue;
            }
            String id = commits.get(random.nextInt(commits.size())).path("id").asText();
            CliResult listing = dsv("ls", null, Set.of(0), "--json", "ls", id);
            CliResult shown = dsv("show", null, Set.of(0), "--json", "show", id);
            if (listing.exitCode() == 0 && shown.exitCode() == 0) {
                int listed = listing.json().path("images").size();
                int summed = 0;
                for (JsonNode sub : shown.json().path("sub_libraries")) {
                    summed += sub.path("images").asInt();
                }
                if (listed != summed) {
                    problems.add("commit " + id + ": ls lists " + listed + " images, show counts " + summed);
                }
            }
            if (random.nextInt(3) == 0) {
                dsv("status", null, Set.of(0), "--json", "status");
            }
        } while (!writersDone);
    }

    /** Exports the head of a branch and verifies the export while the writers run. */
    private void export(int exporter) {
        SplittableRandom random = new SplittableRandom(settings.seed() * 1_000 + 800 + exporter);
        int n = 0;
        do {
            String branch = randomBranch(random);
            Path out = work.resolve("exports").resolve("e" + exporter + "-" + (++n));
            CliResult exported = dsv("export", null, Set.of(0), "--json", "export", branch, "--out", out.toString());
            if (exported.exitCode() == 0) {
                seenByReaders.add(exported.json().path("commit").asText());
                dsv("export --verify", null, Set.of(0), "export", "--verify", out.toString());
            }
        } while (!writersDone);
    }

    private void collectGarbage() {
        SplittableRandom random = new SplittableRandom(settings.seed() * 1_000 + 900);
        int round = 0;
        do {
            int timeout = round++ % 2 == 0 ? settings.shortLockTimeout() : settings.longLockTimeout();
            dsv("gc", timeout, Set.of(0, LOCKED), "--json", "gc", "--grace", "0");
            try {
                Thread.sleep(random.nextInt(2_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        } while (!writersDone);
    }

    private void checkAtEnd() {
        CliResult fsck = dsv("fsck", null, Set.of(0), "--json", "fsck");
        if (fsck.exitCode() != 0 || !fsck.json().path("ok").asBoolean()) {
            problems.add("fsck is not clean at the end: " + fsck);
        }
        Set<String> reachable = new HashSet<>();
        List<String> branches = new ArrayList<>(List.of(BASE_BRANCH));
        for (int i = 1; i <= settings.writers(); i++) {
            branches.add(branchOf(i));
        }
        for (String branch : branches) {
            checkBranch(branch, reachable);
        }
        for (String id : seenByReaders) {
            if (!reachable.contains(id)) {
                problems.add("commit " + id + " that a reader saw is reachable from no branch");
            }
        }
    }

    /**
     * Checks that the commits reported on {@code branch} are exactly its first-parent history
     * since the base commit, newest at the head, and that its images are the base images plus
     * every image those commits reported as added.
     */
    private void checkBranch(String branch, Set<String> reachable) {
        CliResult history = dsv("log", null, Set.of(0), "--json", "log", branch);
        List<String> chain = new ArrayList<>();
        for (JsonNode c : history.json().path("commits")) {
            reachable.add(c.path("id").asText());
            chain.add(c.path("id").asText());
        }
        Map<String, ReportedCommit> mine = new HashMap<>();
        int added = 0;
        synchronized (reported) {
            for (ReportedCommit c : reported) {
                if (c.branch().equals(branch)) {
                    mine.put(c.id(), c);
                    added += c.added();
                }
            }
        }

        int baseAt = chain.indexOf(base);
        if (baseAt < 0) {
            problems.add("branch " + branch + " no longer contains the base commit " + base);
            return;
        }
        Set<String> sinceBase = new LinkedHashSet<>(chain.subList(0, baseAt));
        if (!sinceBase.equals(mine.keySet())) {
            Set<String> lost = new HashSet<>(mine.keySet());
            lost.removeAll(sinceBase);
            Set<String> unreported = new HashSet<>(sinceBase);
            unreported.removeAll(mine.keySet());
            problems.add("branch " + branch + ": reported commits not in its history " + lost
                    + ", commits in its history that no process reported " + unreported);
        }
        for (ReportedCommit c : mine.values()) {
            int at = chain.indexOf(c.id());
            if (at < 0 || at + 1 >= chain.size()) {
                continue;
            }
            List<String> expectedParents = List.of(chain.get(at + 1));
            if (!c.parents().equals(expectedParents)) {
                problems.add("commit " + c.id() + " reported parents " + c.parents() + " but follows "
                        + expectedParents + " on " + branch);
            }
        }

        int baseImages = dsv("ls", null, Set.of(0), "--json", "ls", base).json().path("images").size();
        int images = dsv("ls", null, Set.of(0), "--json", "ls", branch).json().path("images").size();
        if (images != baseImages + added) {
            problems.add("branch " + branch + " has " + images + " images; expected " + baseImages + " + " + added
                    + " added by its reported commits");
        }
    }
}
