package dev.dsv.torture;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.ImageBatch;
import dev.dsv.testing.OperationLog;
import dev.dsv.testing.TimedDsv;
import dev.dsv.testing.s3.S3TestCredentials;
import dev.dsv.testing.s3.S3TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A sustained run of mixed dsv operations on a generated library against an S3 remote on
 * 127.0.0.1 (S3Proxy in this JVM). Two clones share the remote. The library (a full clone) adds
 * new images, relabels, commits, branches and merges, pushes, fetches, pulls, exports a group
 * folder, lists and reads its log. At the same time a partial clone without blobs adds images and
 * pushes, so the library's pushes meet remote changes and its pulls merge them. Every operation
 * is a real dsv process; the table gives per operation the count, failures (exit codes not
 * allowed) and p50/p95/p99/max wall time, JVM start-up included.
 *
 * <p>Each stream runs every one of its operations once (in a seeded order), then seeded weighted
 * picks until the run has lasted the requested seconds. At the end both clones pull and push
 * until they agree; then fsck must be clean in both, their heads must be equal, and the library
 * must hold the generated images plus every image an add reported.
 *
 * <p>Usage: {@code LoadRun SEED IMAGES SECONDS WORKDIR}; exit 1 when a check failed.
 * {@code scripts/torture-load} runs it.
 */
public final class LoadRun {
    private static final int CONFLICT = 11;
    private static final int NOTHING_TO_COMMIT = 9;
    private static final int GROUP_SIZE = 1000;
    private static final int BATCH = 40;
    private static final String BRANCH = "work";
    private static final List<String> DEFECTS = List.of("microcrack", "finger-interruption", "dark-spot", "none");

    /** What to run: the library size and how long the mixed phase lasts at least. */
    public record Settings(long seed, int images, int seconds) {
    }

    /** The outcome: the set-up steps, the mixed operations, and the checks that failed. */
    public record Report(OperationLog setup, OperationLog operations, OperationLog settling, List<String> problems,
                         long phaseMillis) {
    }

    private final Settings settings;
    private final Path work;
    private final Path lib;
    private final Path peer;
    private final OperationLog setupLog = new OperationLog();
    private final OperationLog log = new OperationLog();
    private final OperationLog settleLog = new OperationLog();
    private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger imagesAdded = new AtomicInteger();
    private final AtomicInteger batches = new AtomicInteger();
    private TimedDsv setupDsv;
    private TimedDsv dsv;
    private String[] remoteOptions;
    private java.io.PrintStream progress;

    public LoadRun(Settings settings, Path work) {
        this.settings = settings;
        this.work = work;
        this.lib = work.resolve("lib");
        this.peer = work.resolve("peer");
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: LoadRun SEED IMAGES SECONDS WORKDIR");
            System.exit(2);
        }
        Settings settings = new Settings(Long.parseLong(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]));
        Path work = Path.of(args[3]);
        Files.createDirectories(work);
        System.out.println("settings: " + settings);
        System.out.println("loadavg before: " + loadAverage());
        Report report = new LoadRun(settings, work).printingProgressTo(System.out).run();
        System.out.println("loadavg after: " + loadAverage());
        System.out.println("== set-up");
        report.setup().printTable(System.out);
        System.out.printf("== mixed operations for %.1f s%n", report.phaseMillis() / 1e3);
        report.operations().printTable(System.out);
        System.out.println("== settling and checks");
        report.settling().printTable(System.out);
        System.out.println("problems: " + report.problems().size());
        report.problems().forEach(p -> System.out.println("  " + p));
        System.exit(report.problems().isEmpty() ? 0 : 1);
    }

    private static String loadAverage() throws java.io.IOException {
        return Files.readString(Path.of("/proc/loadavg")).trim();
    }

    /** Prints a line per finished dsv process while the run goes on. */
    public LoadRun printingProgressTo(java.io.PrintStream out) {
        this.progress = out;
        return this;
    }

    /** Starts the S3 server, sets up both clones, runs both streams, then checks both clones. */
    public Report run() throws InterruptedException {
        long phaseMillis;
        try (S3TestServer server = S3TestServer.start(S3TestServer.Conditions.ATOMIC)) {
            server.createBucket("load");
            Map<String, String> env = S3TestCredentials.environment();
            setupDsv = new TimedDsv(work.resolve("logs/setup"), env, setupLog).printingTo(progress);
            dsv = new TimedDsv(work.resolve("logs/mixed"), env, log).printingTo(progress);
            remoteOptions = new String[] {"--endpoint", server.endpoint(), "--path-style", "--region", "us-east-1",
                "--option", "profile=" + S3TestCredentials.PROFILE};
            setUp();
            long t0 = System.nanoTime();
            Thread library = stream("library", () -> libraryStream(t0));
            Thread partial = stream("peer", () -> peerStream(t0));
            library.start();
            partial.start();
            library.join();
            partial.join();
            phaseMillis = (System.nanoTime() - t0) / 1_000_000;
            dsv = new TimedDsv(work.resolve("logs/settle"), env, settleLog).printingTo(progress);
            settle();
        }
        return new Report(setupLog, log, settleLog, List.copyOf(problems), phaseMillis);
    }

    private Thread stream(String name, Runnable body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (RuntimeException e) {
                problems.add(name + " stream stopped: " + e);
            }
        }, name);
        t.setDaemon(true);
        return t;
    }

    private CliResult setupStep(Path dir, String operation, String... args) {
        TimedDsv.Run run = setupDsv.run(dir, operation, Set.of(0), args);
        if (run.failed()) {
            throw new IllegalStateException("set-up step '" + operation + "' failed: " + run.detail());
        }
        return run.result();
    }

    private String[] withRemote(String... args) {
        String[] all = new String[args.length + remoteOptions.length];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(remoteOptions, 0, all, args.length, remoteOptions.length);
        return all;
    }

    private void setUp() {
        long t0 = System.nanoTime();
        Path data = work.resolve("lib-data");
        Path labels = ImageBatch.write(data, settings.seed() * 1_000_000_000L, settings.images(), GROUP_SIZE);
        setupLog.add(new OperationLog.Entry("generate", 0, (System.nanoTime() - t0) / 1_000_000, false,
                settings.images() + " images"));
        setupStep(work, "init", "init", "lib");
        setupStep(lib, "switch -c", "switch", "-c", BRANCH);
        setupStep(lib, "add", "add", data.toString(), "--labels", labels.toString(), "--source", "production",
                "--labeler", "lab-01");
        setupStep(lib, "commit", "commit", "-m", "generated library");
        setupStep(lib, "remote add", withRemote("remote", "add", "origin", "s3://load/lib"));
        setupStep(lib, "push", "push", "origin", BRANCH);
        setupStep(work, "clone --no-blobs", withRemote("clone", "s3://load/lib", "peer", "--no-blobs"));
    }

    /** Runs the operations of one stream: each once in a seeded order, then weighted picks. */
    private void runStream(long seed, List<String> weighted, long t0, java.util.function.Consumer<String> operation) {
        SplittableRandom random = new SplittableRandom(seed);
        List<String> first = new ArrayList<>(new LinkedHashSet<>(weighted));
        for (int i = first.size() - 1; i > 0; i--) {
            Collections.swap(first, i, random.nextInt(i + 1));
        }
        first.forEach(operation);
        while ((System.nanoTime() - t0) / 1_000_000_000L < settings.seconds()) {
            operation.accept(weighted.get(random.nextInt(weighted.size())));
        }
    }

    private static List<String> weights(Object... nameThenWeight) {
        List<String> list = new ArrayList<>();
        for (int i = 0; i < nameThenWeight.length; i += 2) {
            list.addAll(Collections.nCopies((Integer) nameThenWeight[i + 1], (String) nameThenWeight[i]));
        }
        return list;
    }

    private void libraryStream(long t0) {
        SplittableRandom random = new SplittableRandom(settings.seed() * 31 + 1);
        List<String> ops = weights("add", 3, "relabel", 3, "ls-summary", 1, "ls-filtered", 2, "export", 2, "push", 2, "pull", 1, "fetch", 1,
                "branch-merge", 1, "status", 1, "log", 1);
        runStream(settings.seed() * 31 + 2, ops, t0, op -> {
            switch (op) {
                case "add" -> addBatch(lib, "");
                case "relabel" -> {
                    relabel(random, "");
                    commit(lib, "", "relabel");
                }
                case "ls-summary" -> ok(lib, "ls --summary", "--json", "ls", "--summary");
                case "ls-filtered" -> ok(lib, "ls filtered", "--json", "ls", "--defect", "microcrack", "--path",
                        randomGroup(random));
                case "export" -> export(random);
                case "push" -> push(lib, "");
                case "pull" -> pull(lib, "");
                case "fetch" -> ok(lib, "fetch", "--json", "fetch", "origin");
                case "branch-merge" -> branchAndMerge(random);
                case "status" -> ok(lib, "status", "--json", "status");
                case "log" -> ok(lib, "log", "--json", "log", "-n", "5");
                default -> throw new IllegalArgumentException(op);
            }
        });
    }

    private void peerStream(long t0) {
        List<String> ops = weights("add", 2, "push", 2, "fetch", 1, "ls", 1);
        runStream(settings.seed() * 31 + 3, ops, t0, op -> {
            switch (op) {
                case "add" -> addBatch(peer, "peer ");
                case "push" -> push(peer, "peer ");
                case "fetch" -> ok(peer, "peer fetch", "--json", "fetch", "origin");
                case "ls" -> ok(peer, "peer ls", "--json", "ls", "--summary");
                default -> throw new IllegalArgumentException(op);
            }
        });
    }

    private TimedDsv.Run run(Path dir, String operation, Set<Integer> allowed, String... args) {
        TimedDsv.Run r = dsv.run(dir, operation, allowed, args);
        if (r.failed()) {
            problems.add(operation + " failed: " + r.detail());
        }
        return r;
    }

    private TimedDsv.Run ok(Path dir, String operation, String... args) {
        return run(dir, operation, Set.of(0), args);
    }

    private void addBatch(Path clone, String prefix) {
        int n = batches.incrementAndGet();
        Path folder = work.resolve("new").resolve("batch-" + n);
        Path labels = ImageBatch.write(folder, settings.seed() * 1_000_000_000L + 500_000_000L + n * 1_000L, BATCH,
                GROUP_SIZE);
        TimedDsv.Run added = ok(clone, prefix + "add", "--json", "add", folder.toString(), "--labels",
                labels.toString(), "--source", "production", "--labeler", "lab-01");
        if (added.exitCode() == 0 && commit(clone, prefix, "batch " + n)) {
            imagesAdded.addAndGet(added.result().json().path("added").asInt());
        }
    }

    private boolean commit(Path clone, String prefix, String message) {
        return run(clone, prefix + "commit", Set.of(0, NOTHING_TO_COMMIT), "--json", "commit", "-m", message)
                .exitCode() == 0;
    }

    /** Returns the dataset path of a random generated image. */
    private String randomImage(SplittableRandom random) {
        int k = random.nextInt(settings.images());
        String cell = ImageBatch.CELL_TYPES.get(k % ImageBatch.CELL_TYPES.size());
        return "lib-data/" + ImageBatch.group(cell, k / GROUP_SIZE) + "/img-" + k + ".png";
    }

    private String randomGroup(SplittableRandom random) {
        String cell = ImageBatch.CELL_TYPES.get(random.nextInt(ImageBatch.CELL_TYPES.size()));
        int groups = (settings.images() + GROUP_SIZE - 1) / GROUP_SIZE;
        return "lib-data/" + ImageBatch.group(cell, random.nextInt(groups));
    }

    private void relabel(SplittableRandom random, String prefix) {
        ok(lib, prefix + "label set", "--json", "label", "set", randomImage(random), "--defect",
                DEFECTS.get(random.nextInt(DEFECTS.size())), "--labeler", "lab-02");
    }

    private void export(SplittableRandom random) {
        Path out = work.resolve("exports").resolve("x" + batches.incrementAndGet());
        ok(lib, "export", "--json", "export", "--path", randomGroup(random), "--out", out.toString());
    }

    /** Pushes; when the remote moved since the last fetch, pulls and pushes once more. */
    private void push(Path clone, String prefix) {
        TimedDsv.Run pushed = run(clone, prefix + "push", Set.of(0, CONFLICT), "--json", "push", "origin", BRANCH);
        if (pushed.exitCode() == CONFLICT) {
            pull(clone, prefix);
            run(clone, prefix + "push", Set.of(0, CONFLICT), "--json", "push", "origin", BRANCH);
        }
    }

    private void pull(Path clone, String prefix) {
        ok(clone, prefix + "pull", "--json", "pull", "origin", BRANCH);
    }

    private void branchAndMerge(SplittableRandom random) {
        String topic = "topic-" + batches.incrementAndGet();
        ok(lib, "switch -c", "switch", "-c", topic);
        relabel(random, "");
        relabel(random, "");
        commit(lib, "", "relabel on " + topic);
        ok(lib, "switch", "switch", BRANCH);
        ok(lib, "merge", "--json", "merge", topic, "-m", "merge " + topic);
    }

    /** Brings both clones to the same head through the remote, then checks them. */
    private void settle() {
        for (int attempt = 0; attempt < 3; attempt++) {
            ok(peer, "peer pull", "--json", "pull", "origin", BRANCH);
            ok(peer, "peer push", "--json", "push", "origin", BRANCH);
            ok(lib, "pull", "--json", "pull", "origin", BRANCH);
            ok(lib, "push", "--json", "push", "origin", BRANCH);
            ok(peer, "peer pull", "--json", "pull", "origin", BRANCH);
            if (head(lib).equals(head(peer))) {
                break;
            }
        }
        String libHead = head(lib);
        if (!libHead.equals(head(peer))) {
            problems.add("the clones disagree after settling: library at " + libHead + ", peer at " + head(peer));
        }
        for (Path clone : List.of(lib, peer)) {
            TimedDsv.Run fsck = run(clone, "fsck", Set.of(0), "--json", "fsck");
            if (fsck.exitCode() == 0 && !fsck.result().json().path("ok").asBoolean()) {
                problems.add("fsck of " + clone + " is not clean: " + fsck.detail());
            }
        }
        long images = 0;
        for (JsonNode sub : ok(lib, "ls --summary", "--json", "ls", "--summary").result().json().path("sub_libraries")) {
            images += sub.path("images").asLong();
        }
        long expected = settings.images() + imagesAdded.get();
        if (images != expected) {
            problems.add("the library holds " + images + " images; expected " + settings.images() + " generated + "
                    + imagesAdded.get() + " added");
        }
    }

    private String head(Path clone) {
        TimedDsv.Run r = ok(clone, "log", "--json", "log", "-n", "1", BRANCH);
        return r.exitCode() == 0 ? r.result().json().path("commits").get(0).path("id").asText() : "?";
    }
}
