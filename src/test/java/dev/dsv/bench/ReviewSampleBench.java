package dev.dsv.bench;

import dev.dsv.model.CanonicalJson;
import dev.dsv.model.Commit;
import dev.dsv.model.ImageEntry;
import dev.dsv.model.LabelRecord;
import dev.dsv.model.ObjectId;
import dev.dsv.model.ObjectType;
import dev.dsv.model.Times;
import dev.dsv.quality.ReviewSampler;
import dev.dsv.quality.ReviewStatusReport;
import dev.dsv.service.Progress;
import dev.dsv.service.Session;
import dev.dsv.store.ObjectStore;
import dev.dsv.tree.Trees;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * Measures {@code dsv review sample} over a generated history: a base commit of N images (each
 * with its own label record), sampled once, then C commits that together bring K new label
 * records over three labeling days, half as new images and half as relabels scattered over the
 * base. Image blobs are not stored: sampling reads commits, trees and label records only. Run
 * through scripts/bench-review. Arguments: N K C WORKDIR. Prints wall times and heap figures.
 */
public final class ReviewSampleBench {
    private static final List<String> CELLS = List.of("PERC", "TOPCon", "HJT", "IBC", "Al-BSF", "mono", "poly", "MBB",
            "half-cut");
    private static final int CHUNK = 100_000;
    private static final OffsetDateTime DAY_ONE = OffsetDateTime.parse("2026-06-01T06:00:00+08:00");

    private ReviewSampleBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        int k = Integer.parseInt(args[1]);
        int commits = Integer.parseInt(args[2]);
        Path dir = Path.of(args[3]);
        Files.createDirectories(dir);
        try (Session session = Session.init(dir.resolve("lib"), ZoneId.of("Asia/Shanghai"))) {
            ObjectStore store = session.repository().store();
            Trees trees = session.trees();

            long t0 = start();
            ObjectId tree = Trees.EMPTY_TREE;
            for (int start = 0; start < n; start += CHUNK) {
                Map<String, ImageEntry> chunk = new TreeMap<>(CanonicalJson.CODE_POINT_ORDER);
                try (ObjectStore.Inserter ins = store.newInserter()) {
                    for (int i = start; i < Math.min(n, start + CHUNK); i++) {
                        chunk.put(path("base", i), entry(i, label(ins, "base", i, DAY_ONE.minusDays(30), null)));
                    }
                    tree = trees.apply(tree, chunk, ins);
                    ins.flush();
                }
            }
            ObjectId head = commit(store, tree, List.of(), "base of " + n + " images");
            session.repository().updateBranch("main", null, head);
            report("build base of " + n + " images", t0);

            t0 = start();
            ReviewSampler sampler = new ReviewSampler(session, Progress.NONE);
            ReviewSampler.Result base = sampler.sample(new ReviewSampler.Request("main", null, "day", List.of(), "bench"));
            report("sample the base: " + base.sample().items().size() + " of " + base.population(), t0);

            t0 = start();
            ObjectId baseHead = head;
            int perCommit = k / commits;
            int added = 0;
            for (int c = 0; c < commits; c++) {
                Map<String, ImageEntry> changes = new TreeMap<>(CanonicalJson.CODE_POINT_ORDER);
                try (ObjectStore.Inserter ins = store.newInserter()) {
                    for (int j = 0; j < perCommit; j++) {
                        int i = c * perCommit + j;
                        // Labels arrive over three days, in the library's zone.
                        OffsetDateTime at = DAY_ONE.plusMinutes((long) i * 3 * 24 * 60 / k);
                        if (j % 2 == 0) {
                            changes.put(path("new", i), entry(i, label(ins, "new", i, at, null)));
                        } else {
                            int target = (int) ((long) i * 7919 % n);
                            ImageEntry old = trees.lookup(tree, path("base", target));
                            changes.put(path("base", target), old.withLabel(label(ins, "relabel", i, at, old.label())));
                        }
                        added++;
                    }
                    tree = trees.apply(tree, changes, ins);
                    ins.flush();
                }
                head = commit(store, tree, List.of(head), "batch " + c);
            }
            session.repository().updateBranch("main", baseHead, head);
            report("add " + commits + " commits with " + added + " new label records", t0);

            t0 = start();
            ReviewSampler.Result r = sampler.sample(new ReviewSampler.Request("main", null, "day", List.of(), null));
            report("sample by day: " + r.sample().items().size() + " of " + r.population() + " in "
                    + r.sample().groups().size() + " days", t0);

            t0 = start();
            ReviewSampler.Result again = sampler.sample(new ReviewSampler.Request("main", null, "day", List.of(), null));
            report("repeat the request (reused: " + again.reused() + ")", t0);

            t0 = start();
            ReviewStatusReport status = ReviewStatusReport.build(session, "main", null);
            report("review status of " + status.commits().size() + " commits", t0);
            System.out.printf("bench-review %-56s %d MiB%n", "peak heap (all phases)", peakHeapMiB());
        }
    }

    private static ObjectId label(ObjectStore.Inserter ins, String kind, int i, OffsetDateTime at, ObjectId supersedes) {
        LabelRecord r = new LabelRecord(blob(kind, i), List.of(), "lab-" + (i % 40), at, null, supersedes);
        return ins.insert(ObjectType.LABEL, r.encode());
    }

    private static ObjectId commit(ObjectStore store, ObjectId tree, List<ObjectId> parents, String message) {
        Commit c = new Commit(tree, parents, "bench", Times.now(), message, List.of(), List.of("production"));
        try (ObjectStore.Inserter ins = store.newInserter()) {
            ObjectId id = ins.insert(ObjectType.COMMIT, c.encode());
            ins.flush();
            return id;
        }
    }

    private static String path(String folder, int i) {
        return folder + "/" + CELLS.get(i % CELLS.size()) + "/line-" + (i / 100_000) + "/cell-"
                + String.format("%07d", i) + ".png";
    }

    private static ImageEntry entry(int i, ObjectId label) {
        SortedMap<String, String> attrs = CanonicalJson.newObject();
        return new ImageEntry(blob("image", i), label, CELLS.get(i % CELLS.size()), "production", null,
                i % 10 < 8 ? "train" : "test", attrs);
    }

    private static ObjectId blob(String kind, int i) {
        return ObjectId.fromBytes(DigestUtils.sha256((kind + "-" + i).getBytes(StandardCharsets.UTF_8)));
    }

    private static long cpuStart;

    /** Starts the CPU clock of the main thread for the next {@link #report}. */
    private static long start() {
        cpuStart = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        return System.nanoTime();
    }

    /** Prints the wall time, the main thread's CPU time (a fairer figure on a shared machine) and the heap. */
    private static void report(String step, long startNanos) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        double cpu = (ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpuStart) / 1e9;
        System.gc();
        long used = (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20;
        System.out.printf("bench-review %-52s %7.2f s wall %7.2f s CPU   heap after GC %d MiB%n", step, seconds, cpu,
                used);
    }

    private static long peakHeapMiB() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak >> 20;
    }
}
