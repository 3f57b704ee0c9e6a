package dev.dsv.bench;

import dev.dsv.model.CanonicalJson;
import dev.dsv.model.Commit;
import dev.dsv.model.ImageEntry;
import dev.dsv.model.LabelRecord;
import dev.dsv.model.ObjectId;
import dev.dsv.model.ObjectType;
import dev.dsv.model.Times;
import dev.dsv.service.MergeService;
import dev.dsv.service.Session;
import dev.dsv.store.ObjectStore;
import dev.dsv.tree.Trees;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * Measures a per-image merge of a branch that relabels K images into a main of N images (main
 * also changed other images, so the merge is three-way), on a generated repository. Image blobs
 * are not stored: a merge reads trees and label ids only. Run through scripts/bench-merge.
 * Arguments: N K WORKDIR [scattered|clustered]. Scattered changes are spread evenly over the
 * library; clustered ones are the K images with the lowest numbers (whole batch folders, as a
 * relabeled batch would be). Prints wall times and the heap after each phase.
 */
public final class MergeScaleBench {
    private static final List<String> CELLS = List.of("PERC", "TOPCon", "HJT", "IBC", "Al-BSF", "mono", "poly", "MBB",
            "half-cut");
    private static final int CHUNK = 100_000;

    private MergeScaleBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        int k = Integer.parseInt(args[1]);
        Path dir = Path.of(args[2]);
        boolean clustered = args.length > 3 && args[3].equals("clustered");
        Files.createDirectories(dir);
        try (Session session = Session.init(dir.resolve("lib"))) {
            ObjectStore store = session.repository().store();
            Trees trees = session.trees();
            List<ObjectId> labels = new ArrayList<>();
            try (ObjectStore.Inserter ins = store.newInserter()) {
                for (int i = 0; i < 64; i++) {
                    LabelRecord r = new LabelRecord(blob(i), List.of(), "bench-" + i,
                            Times.parseOrNull("2026-06-01T08:00:00+08:00"), null, null);
                    labels.add(ins.insert(ObjectType.LABEL, r.encode()));
                }
                ins.flush();
            }

            long t0 = System.nanoTime();
            ObjectId tree = Trees.EMPTY_TREE;
            for (int start = 0; start < n; start += CHUNK) {
                Map<String, ImageEntry> chunk = new TreeMap<>(CanonicalJson.CODE_POINT_ORDER);
                for (int i = start; i < Math.min(n, start + CHUNK); i++) {
                    chunk.put(path(i), entry(i, labels.get(i % 32)));
                }
                try (ObjectStore.Inserter ins = store.newInserter()) {
                    tree = trees.apply(tree, chunk, ins);
                    ins.flush();
                }
            }
            report("build main of " + n + " images", t0);
            ObjectId base = commit(store, tree, List.of(), "base");

            t0 = System.nanoTime();
            ObjectId theirs = commit(store, clustered ? changeRange(trees, store, tree, 0, k, labels.get(40))
                    : change(trees, store, tree, n, k, 7, labels.get(40)), List.of(base), "relabel " + k);
            report("branch: relabel " + k + (clustered ? " clustered" : " scattered") + " images", t0);
            ObjectId oursTree = clustered ? changeRange(trees, store, tree, k, k + k / 10, labels.get(50))
                    : change(trees, store, tree, n, k / 10, 11, labels.get(50));
            ObjectId ours = commit(store, oursTree, List.of(base), "main: relabel " + (k / 10) + " other images");

            t0 = System.nanoTime();
            MergeService.Plan plan = new MergeService(session).plan(ours, theirs, null, Map.of());
            report("three-way merge plan (" + plan.kind() + ", " + plan.changes().size() + " images)", t0);
            if (!plan.kind().equals("merge") || plan.changes().size() != k) {
                throw new IllegalStateException("unexpected merge result: " + plan.kind() + " " + plan.changes().size());
            }
            System.out.printf("bench-merge %-48s %d MiB%n", "peak heap (all phases)", peakHeapMiB());
            long packs;
            try (var files = Files.list(dir.resolve("lib/.dsv/objects/pack"))) {
                packs = files.filter(f -> f.toString().endsWith(".pack")).mapToLong(f -> f.toFile().length()).sum();
            }
            System.out.printf("bench-merge %-48s %d MiB%n", "pack bytes (trees, labels, commits)", packs >> 20);
        }
    }

    /** Changes the label of every image whose index modulo (n / count) equals the offset. */
    private static ObjectId change(Trees trees, ObjectStore store, ObjectId tree, int n, int count, int offset,
                                   ObjectId label) {
        int step = Math.max(1, n / count);
        Map<String, ImageEntry> changes = new TreeMap<>(CanonicalJson.CODE_POINT_ORDER);
        for (int i = offset % step; i < n && changes.size() < count; i += step) {
            changes.put(path(i), entry(i, label));
        }
        try (ObjectStore.Inserter ins = store.newInserter()) {
            ObjectId out = trees.apply(tree, changes, ins);
            ins.flush();
            return out;
        }
    }

    /** Changes the label of images {@code from} to {@code to - 1}. */
    private static ObjectId changeRange(Trees trees, ObjectStore store, ObjectId tree, int from, int to, ObjectId label) {
        Map<String, ImageEntry> changes = new TreeMap<>(CanonicalJson.CODE_POINT_ORDER);
        for (int i = from; i < to; i++) {
            changes.put(path(i), entry(i, label));
        }
        try (ObjectStore.Inserter ins = store.newInserter()) {
            ObjectId out = trees.apply(tree, changes, ins);
            ins.flush();
            return out;
        }
    }

    private static ObjectId commit(ObjectStore store, ObjectId tree, List<ObjectId> parents, String message) {
        Commit c = new Commit(tree, parents, "bench", Times.now(), message, List.of(), List.of("production"));
        try (ObjectStore.Inserter ins = store.newInserter()) {
            ObjectId id = ins.insert(ObjectType.COMMIT, c.encode());
            ins.flush();
            return id;
        }
    }

    private static String path(int i) {
        return CELLS.get(i % CELLS.size()) + "/line-" + (i / 100_000) + "/cell-" + String.format("%07d", i) + ".png";
    }

    private static ImageEntry entry(int i, ObjectId label) {
        SortedMap<String, String> attrs = CanonicalJson.newObject();
        attrs.put("module", "M-" + (i / 60));
        return new ImageEntry(blob(i % 100_000), label, CELLS.get(i % CELLS.size()), "production", null,
                i % 10 < 8 ? "train" : "test", attrs);
    }

    private static ObjectId blob(int i) {
        return ObjectId.fromBytes(DigestUtils.sha256(("blob-" + i).getBytes(StandardCharsets.UTF_8)));
    }

    private static void report(String step, long startNanos) {
        System.gc();
        long used = (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20;
        System.out.printf("bench-merge %-48s %8.2f s   heap in use after GC %d MiB%n", step,
                (System.nanoTime() - startNanos) / 1e9, used);
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
