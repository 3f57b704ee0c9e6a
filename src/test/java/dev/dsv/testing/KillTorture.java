package dev.dsv.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Kills dsv with SIGKILL in the middle of add, commit, merge, promote, rollback, gc, push and pull
 * on a repository of ELPV images with a directory remote, and checks the repository after every
 * kill. The checks: {@code fsck} is clean; every commit the killed command printed is present
 * with all its objects ({@code verify}); every ref file holds a whole commit id; status and
 * listings work; every commit completed earlier is still there; and re-running the command
 * completes.
 *
 * <p>The seed fixes the order of operations, the batches and the kill fraction of every kill
 * point. The delay in milliseconds is that fraction of the command's measured run time, so the
 * exact instruction hit still varies with the machine's load.
 *
 * <p>Setup and checks run dsv in-process; only the command that is killed runs in its own JVM
 * through {@code scripts/dsv}. Run the full torture with {@code scripts/torture-kill}.
 */
public final class KillTorture {
    /** The operations, run in this order round after round. */
    public enum Op { ADD, COMMIT, MERGE, PROMOTE, ROLLBACK, GC, PUSH, PULL }

    /** One kill point whose checks failed. */
    public record Failure(int point, Op op, long delayMillis, String what) {
    }

    /** Counts of one run. */
    public record Result(int attempts, int killed, int finishedBeforeKill, Map<Op, Integer> killedPerOp,
                         List<Failure> failures) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path work;
    private final long seed;
    private final int imagesPerBatch;
    private final List<Path> elpvImages;
    private final Map<String, ElpvLabels.Row> elpvRows = ElpvLabels.read();
    private final Map<Op, Long> estimateMillis = new EnumMap<>(Op.class);
    private final List<String> doneCommits = new ArrayList<>();
    private final List<String> rollbackCandidates = new ArrayList<>();
    private final List<Failure> failures = new ArrayList<>();
    private final Path lib;
    private final Path peer;
    private final Path remote;
    private int nextImage;
    private int batch;
    private int side;
    private long startupMillis;

    public KillTorture(Path work, long seed, int imagesPerBatch) {
        this.work = work;
        this.seed = seed;
        this.imagesPerBatch = imagesPerBatch;
        this.lib = work.resolve("lib");
        this.peer = work.resolve("peer");
        this.remote = work.resolve("remote");
        try (Stream<Path> files = Files.list(Images.ELPV.resolve("images"))) {
            this.elpvImages = files.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs {@code killPoints} kill points and returns what was tried and what failed. */
    public Result run(int killPoints) throws InterruptedException {
        SplittableRandom random = new SplittableRandom(seed);
        setUp();
        int killed = 0;
        int finished = 0;
        Map<Op, Integer> perOp = new EnumMap<>(Op.class);
        for (int point = 0; point < killPoints; point++) {
            Op op = Op.values()[point % Op.values().length];
            double fraction = random.nextDouble();
            Path repo = op == Op.PULL ? peer : lib;
            String[] command = prepare(op);
            Map<String, String> headsBefore = heads(repo);
            long estimate = estimateMillis.get(op);
            // Startup of the JVM takes most of a short command, and a kill long before the repository is
            // opened tests little, so the delays spread from 60% of a bare startup to the estimated run
            // time. On an idle machine a command of a few images ends soon after startup, so a floor
            // near the whole startup time let every command finish before its kill.
            long floor = Math.round(startupMillis * 0.6);
            long delay = floor + Math.round(fraction * Math.max(50, estimate - floor));
            Path out = work.resolve("killed.out");
            Path err = work.resolve("killed.err");
            long started = System.nanoTime();
            Process p = DsvProcess.start(repo, Map.of(), out, err, withJson(command));
            boolean exited = p.waitFor(delay, TimeUnit.MILLISECONDS);
            long ranMillis = (System.nanoTime() - started) / 1_000_000;
            if (exited) {
                finished++;
                estimateMillis.put(op, Math.max(floor + 50, (estimate + ranMillis) / 2));
            } else {
                // The command ran for longer than the delay, so its run time is at least that.
                estimateMillis.put(op, Math.max(estimate, delay));
                p.destroyForcibly();
                p.waitFor();
                killed++;
                perOp.merge(op, 1, Integer::sum);
            }
            String label = "point " + point + " " + op + " after " + delay + " ms"
                    + (exited ? " (exited first with " + p.exitValue() + ")" : "");
            System.out.println("kill-torture: " + label);
            check(point, op, delay, repo, command, headsBefore, read(out), exited ? p.exitValue() : -1);
        }
        return new Result(killPoints, killed, finished, perOp, List.copyOf(failures));
    }

    private void setUp() {
        ok(work, "init", "lib");
        ok(lib, "switch", "-c", "work");
        ok(lib, "config", "set", "user.id", "torture");
        ReviewFlow.addVerifier(Dsv::run, lib, "senior-01");
        addBatch(lib);
        doneCommits.add(commitId(ok(lib, "--json", "commit", "-m", "first batch")));
        ok(lib, "remote", "add", "origin", remote.toString());
        ok(lib, "push", "origin", "work");
        ok(work, "clone", remote.toString(), "peer");
        ok(peer, "switch", "work");
        long started = System.nanoTime();
        DsvProcess.run(lib, "status");
        startupMillis = (System.nanoTime() - started) / 1_000_000;
        for (Op op : Op.values()) {
            estimateMillis.put(op, startupMillis + 300);
        }
    }

    /** Brings the repository to a state where {@code op} has work to do and returns its command. */
    private String[] prepare(Op op) {
        return switch (op) {
            case ADD -> addArgs(writeBatch());
            case COMMIT -> {
                if (stagedCount(lib) == 0) {
                    addBatch(lib);
                }
                yield new String[] {"commit", "-m", "batch " + batch};
            }
            case MERGE -> {
                commitStaged();
                String branch = "side-" + (++side);
                ok(lib, "switch", "-c", branch);
                addBatch(lib);
                ok(lib, "commit", "-m", "side batch " + batch);
                ok(lib, "switch", "work");
                addBatch(lib);
                rollbackCandidates.add(commitId(ok(lib, "--json", "commit", "-m", "batch " + batch)));
                yield new String[] {"merge", branch, "-m", "merge " + branch};
            }
            case PROMOTE -> {
                commitStaged();
                String head = heads(lib).get("work");
                ReviewFlow.passAll(Dsv::run, lib, head, "senior-01");
                yield new String[] {"promote", "work"};
            }
            case ROLLBACK -> {
                commitStaged();
                if (rollbackCandidates.isEmpty()) {
                    addBatch(lib);
                    rollbackCandidates.add(commitId(ok(lib, "--json", "commit", "-m", "batch " + batch)));
                }
                String target = rollbackCandidates.remove(rollbackCandidates.size() - 1);
                yield new String[] {"rollback", target, "-m", "batch was mislabeled", "--branch", "work"};
            }
            case GC -> {
                commitStaged();
                addBatch(lib);
                ok(lib, "rm", "b" + batch);
                yield new String[] {"gc", "--grace", "0"};
            }
            case PUSH -> {
                commitStaged();
                addBatch(lib);
                ok(lib, "commit", "-m", "batch " + batch);
                yield new String[] {"push", "origin", "work"};
            }
            case PULL -> {
                commitStaged();
                ok(lib, "push", "origin", "work");
                yield new String[] {"pull", "origin", "work"};
            }
        };
    }

    private void check(int point, Op op, long delay, Path repo, String[] command, Map<String, String> headsBefore,
                       String killedOut, int exitCode) {
        List<String> problems = new ArrayList<>();
        CliResult fsck = Dsv.run(repo, "--json", "fsck");
        if (fsck.exitCode() != 0) {
            problems.add("fsck after the kill: " + fsck);
        }
        for (String id : reportedCommits(killedOut)) {
            CliResult verify = Dsv.run(repo, "verify", id);
            if (verify.exitCode() != 0) {
                problems.add("reported commit " + id + " fails verify: " + verify);
            }
        }
        problems.addAll(refFileProblems(repo));
        for (String[] read : List.of(new String[] {"status"}, new String[] {"ls", "--summary"},
                new String[] {"branch"})) {
            CliResult r = Dsv.run(repo, read);
            if (r.exitCode() != 0) {
                problems.add(String.join(" ", read) + " after the kill: " + r);
            }
        }
        int from = Math.max(0, doneCommits.size() - 20);
        for (String id : doneCommits.subList(from, doneCommits.size())) {
            if (Dsv.run(lib, "log", id, "-n", "1").exitCode() != 0) {
                problems.add("earlier commit " + id + " is gone");
            }
        }
        if (exitCode > 0) {
            problems.add("the command failed before the kill: exit " + exitCode + "\n" + killedOut);
        }
        rerun(op, repo, command, headsBefore, problems);
        if (!problems.isEmpty()) {
            Failure f = new Failure(point, op, delay, String.join("\n", problems));
            failures.add(f);
            System.out.println("kill-torture: FAILED " + f);
            if (Dsv.run(repo, "fsck").exitCode() != 0) {
                throw new IllegalStateException("repository stays damaged after " + f);
            }
        }
    }

    /**
     * Runs the command again unless the killed run had completed: a commit, merge, promotion or
     * rollback that moved its branch is done, and running it again would be a second request.
     */
    private void rerun(Op op, Path repo, String[] command, Map<String, String> headsBefore, List<String> problems) {
        Map<String, String> headsAfter = heads(repo);
        boolean moved = switch (op) {
            case COMMIT, MERGE, ROLLBACK -> !headsAfter.get("work").equals(headsBefore.get("work"));
            case PROMOTE -> !String.valueOf(headsAfter.get("main")).equals(String.valueOf(headsBefore.get("main")));
            default -> false;
        };
        if (!moved) {
            CliResult again = Dsv.run(repo, withJson(command));
            if (again.exitCode() != 0) {
                problems.add("re-run of " + String.join(" ", command) + ": " + again);
                return;
            }
            headsAfter = heads(repo);
            doneCommits.addAll(reportedCommits(again.out()));
        }
        if (op == Op.COMMIT && headsAfter.get("work") != null) {
            rollbackCandidates.add(headsAfter.get("work"));
        }
        for (String branch : List.of("work", "main")) {
            String id = headsAfter.get(branch);
            if (id != null && !doneCommits.contains(id)) {
                doneCommits.add(id);
            }
        }
    }

    /** Returns problems with ref files: any that a reader would list but that holds no whole commit id. */
    private static List<String> refFileProblems(Path repo) {
        List<String> problems = new ArrayList<>();
        Path refs = repo.resolve(".dsv").resolve("refs");
        try (Stream<Path> walk = Files.walk(refs)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                if (p.getFileName().toString().startsWith(".tmp-")) {
                    continue;
                }
                String text = Files.readString(p, StandardCharsets.UTF_8);
                if (!text.matches("[0-9a-f]{64}\n")) {
                    problems.add("ref " + refs.relativize(p) + " holds '" + text + "'");
                }
            }
        } catch (IOException e) {
            problems.add("refs unreadable: " + e);
        }
        return problems;
    }

    /** Returns the commit ids the command printed in its JSON: commit, commit.id and head. */
    static Set<String> reportedCommits(String stdout) {
        Set<String> ids = new LinkedHashSet<>();
        if (stdout.isBlank()) {
            return ids;
        }
        JsonNode doc;
        try {
            doc = JSON.readTree(stdout);
        } catch (IOException e) {
            return ids;
        }
        for (JsonNode n : List.of(doc.path("commit"), doc.path("commit").path("id"), doc.path("head"))) {
            if (n.isTextual() && n.asText().matches("[0-9a-f]{64}")) {
                ids.add(n.asText());
            }
        }
        return ids;
    }

    private void commitStaged() {
        if (stagedCount(lib) > 0) {
            rollbackCandidates.add(commitId(ok(lib, "--json", "commit", "-m", "batch " + batch)));
        }
    }

    private static int stagedCount(Path repo) {
        JsonNode counts = ok(repo, "--json", "status").json().path("counts");
        int n = 0;
        for (JsonNode count : counts) {
            n += count.asInt();
        }
        return n;
    }

    private static Map<String, String> heads(Path repo) {
        Map<String, String> heads = new java.util.HashMap<>();
        for (String branch : List.of("work", "main")) {
            Path ref = repo.resolve(".dsv").resolve("refs").resolve("heads").resolve(branch);
            try {
                heads.put(branch, Files.readString(ref, StandardCharsets.UTF_8).trim());
            } catch (IOException e) {
                heads.put(branch, null);
            }
        }
        return heads;
    }

    private void addBatch(Path repo) {
        ok(repo, addArgs(writeBatch()));
    }

    private String[] addArgs(Path folder) {
        return new String[] {"add", folder.resolve("images").toString(), "--labels", folder.resolve("labels.csv").toString(),
            "--prefix", folder.getFileName().toString(), "--source", "production", "--labeler", "elpv-experts"};
    }

    /** Copies the next images of ELPV (round robin) into a new batch folder with a dsv labels CSV. */
    private Path writeBatch() {
        Path folder = work.resolve("batches").resolve("b" + (++batch));
        StringBuilder csv = new StringBuilder("path,cell_type,defects,confidence\n");
        try {
            Files.createDirectories(folder.resolve("images"));
            for (int i = 0; i < imagesPerBatch; i++) {
                Path image = elpvImages.get(nextImage++ % elpvImages.size());
                String name = image.getFileName().toString();
                Files.copy(image, folder.resolve("images").resolve(name));
                ElpvLabels.Row row = elpvRows.get(name);
                csv.append(name).append(',').append(row.cellType()).append(',')
                        .append(row.defect().equals("none") ? "" : row.defect()).append(',')
                        .append(row.probability()).append('\n');
            }
            Files.writeString(folder.resolve("labels.csv"), csv);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return folder;
    }

    private static String commitId(CliResult r) {
        return r.json().path("commit").path("id").asText();
    }

    private static String[] withJson(String[] args) {
        String[] out = new String[args.length + 1];
        out[0] = "--json";
        System.arraycopy(args, 0, out, 1, args.length);
        return out;
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static CliResult ok(Path dir, String... args) {
        CliResult r = Dsv.run(dir, args);
        if (r.exitCode() != 0) {
            throw new IllegalStateException("setup step failed: dsv " + String.join(" ", args) + "\n" + r);
        }
        return r;
    }

    /** Runs the torture: {@code KillTorture KILL_POINTS SEED WORKDIR [IMAGES_PER_BATCH]}; exit 1 on any failure. */
    public static void main(String[] args) throws Exception {
        int points = Integer.parseInt(args[0]);
        long seed = Long.parseLong(args[1]);
        Path work = Path.of(args[2]).toAbsolutePath();
        int perBatch = args.length > 3 ? Integer.parseInt(args[3]) : 40;
        Files.createDirectories(work);
        Result r = new KillTorture(work, seed, perBatch).run(points);
        System.out.println("kill-torture: seed " + seed + ", " + r.attempts() + " kill points tried, " + r.killed()
                + " killed while running, " + r.finishedBeforeKill() + " finished before the kill, per operation "
                + r.killedPerOp() + ", " + r.failures().size() + " failures");
        for (Failure f : r.failures()) {
            System.out.println("kill-torture: failure " + f);
        }
        System.exit(r.failures().isEmpty() ? 0 : 1);
    }
}
