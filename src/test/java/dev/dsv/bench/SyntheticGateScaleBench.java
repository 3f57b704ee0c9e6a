package dev.dsv.bench;

import dev.dsv.model.CanonicalJson;
import dev.dsv.model.Defect;
import dev.dsv.model.ImageEntry;
import dev.dsv.model.LabelRecord;
import dev.dsv.model.ObjectId;
import dev.dsv.model.ObjectType;
import dev.dsv.model.Times;
import dev.dsv.policy.GateResult;
import dev.dsv.policy.Gates;
import dev.dsv.policy.Policy;
import dev.dsv.policy.PromotionCandidate;
import dev.dsv.service.Session;
import dev.dsv.store.ObjectStore;
import dev.dsv.tree.Trees;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * Times the three synthetic-data gates over a generated snapshot of N images, each with its own
 * label record (so the gates read N distinct label records for train and synthetic images). 70%
 * train, 15% val, 15% test; one image in ten is synthetic (none in test), from four generators;
 * defect types cycle over five values. Image blobs are not stored: the gates read trees and
 * labels only. Run through scripts/bench-synthetic-gates. Arguments: N WORKDIR.
 */
public final class SyntheticGateScaleBench {
    private static final List<String> CELLS = List.of("PERC", "TOPCon", "HJT", "IBC", "Al-BSF", "mono", "poly", "MBB",
            "half-cut");
    private static final List<String> DEFECTS = List.of("none", "microcrack", "crack", "finger-interruption", "dark-area");
    private static final int CHUNK = 100_000;

    private SyntheticGateScaleBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        Path dir = Path.of(args[1]);
        Files.createDirectories(dir);
        try (Session session = Session.init(dir.resolve("lib"))) {
            ObjectStore store = session.repository().store();
            Trees trees = session.trees();
            long t0 = System.nanoTime();
            ObjectId tree = Trees.EMPTY_TREE;
            for (int start = 0; start < n; start += CHUNK) {
                Map<String, ImageEntry> chunk = new TreeMap<>(CanonicalJson.CODE_POINT_ORDER);
                try (ObjectStore.Inserter ins = store.newInserter()) {
                    for (int i = start; i < Math.min(n, start + CHUNK); i++) {
                        String defect = DEFECTS.get(i % DEFECTS.size());
                        LabelRecord r = new LabelRecord(blob(i), defect.equals("none") ? List.of()
                                : List.of(new Defect(defect, List.of())), "bench",
                                Times.parseOrNull("2026-06-01T08:00:00+08:00"), null, null);
                        chunk.put(path(i), entry(i, ins.insert(ObjectType.LABEL, r.encode())));
                    }
                    tree = trees.apply(tree, chunk, ins);
                    ins.flush();
                }
            }
            report("build a snapshot of " + n + " images with their labels", t0);

            ObjectId snapshotTree = tree;
            PromotionCandidate.Snapshot snapshot = new PromotionCandidate.Snapshot() {
                @Override
                public ObjectId tree() {
                    return snapshotTree;
                }

                @Override
                public void forEachImage(java.util.function.BiConsumer<String, ImageEntry> action) {
                    trees.walk(snapshotTree, action::accept);
                }
            };
            PromotionCandidate candidate = new PromotionCandidate("work", "main", List.of(), Map.of(), Set.of(),
                    session.repository().config(), session::readLabel, Policy.DEFAULT, Policy.DEFAULT, snapshot,
                    kind -> List.of(), Times.now(), Map.of(), session.repository());
            for (String gate : List.of("synthetic-ratio", "test-is-real", "generator-diversity")) {
                t0 = System.nanoTime();
                GateResult r = Gates.named(gate).check(candidate);
                report(gate + " (" + (r.passed() ? "passed" : "failed") + ", " + r.checked() + " checked, "
                        + r.offending() + " offending)", t0);
            }
            System.out.printf("bench-gates %-60s %d MiB%n", "peak heap (all phases)", peakHeapMiB());
        }
    }

    private static ImageEntry entry(int i, ObjectId label) {
        SortedMap<String, String> attrs = CanonicalJson.newObject();
        int splitSlot = i % 20;
        String split = "test";
        if (splitSlot < 14) {
            split = "train";
        } else if (splitSlot < 17) {
            split = "val";
        }
        boolean synthetic = i % 10 == 3 && !split.equals("test");
        return new ImageEntry(blob(i), label, CELLS.get(i % CELLS.size()), synthetic ? "synthetic" : "production",
                synthetic ? "gen-" + (i / 10 % 4) + "@1" : null, split, attrs);
    }

    private static ObjectId blob(int i) {
        return ObjectId.fromBytes(DigestUtils.sha256(("blob-" + i).getBytes(StandardCharsets.UTF_8)));
    }

    private static String path(int i) {
        return CELLS.get(i % CELLS.size()) + "/line-" + (i / 100_000) + "/cell-" + String.format("%07d", i) + ".png";
    }

    private static void report(String step, long startNanos) {
        System.gc();
        long used = (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20;
        System.out.printf("bench-gates %-60s %8.2f s   heap in use after GC %d MiB%n", step,
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
