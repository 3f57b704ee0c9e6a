package dev.dsv.bench;

import dev.dsv.model.CanonicalJson;
import dev.dsv.model.Commit;
import dev.dsv.model.Defect;
import dev.dsv.model.ImageEntry;
import dev.dsv.model.LabelRecord;
import dev.dsv.model.ObjectId;
import dev.dsv.model.ObjectType;
import dev.dsv.model.Times;
import dev.dsv.quality.AgreementService;
import dev.dsv.quality.DriftService;
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
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * Measures {@code dsv quality agreement} and {@code drift} on a generated library of N images in
 * which every blob sits at two paths with label records by two different labelers (so every
 * image is a shared unit), over 24 months. Image bytes are not stored: the quality commands read
 * the index and label records only. Run through scripts/bench-quality. Arguments: N WORKDIR.
 * Prints wall times and heap figures.
 */
public final class QualityScaleBench {
    private static final List<String> CELLS = List.of("PERC", "TOPCon", "HJT", "IBC", "mono", "poly");
    private static final List<String> DEFECTS = List.of("microcrack", "finger-interruption", "dark-spot");
    private static final int CHUNK = 100_000;

    private QualityScaleBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        Path dir = Path.of(args[1]);
        Files.createDirectories(dir);
        ObjectId commit;
        long t0 = System.nanoTime();
        try (Session session = Session.init(dir.resolve("lib"), java.time.ZoneId.of("Asia/Shanghai"))) {
            ObjectStore store = session.repository().store();
            Trees trees = session.trees();
            ObjectId tree = Trees.EMPTY_TREE;
            for (int start = 0; start < n; start += CHUNK) {
                Map<String, ImageEntry> chunk = new TreeMap<>(CanonicalJson.CODE_POINT_ORDER);
                try (ObjectStore.Inserter ins = store.newInserter()) {
                    for (int i = start; i < Math.min(n, start + CHUNK); i++) {
                        ObjectId label = ins.insert(ObjectType.LABEL, label(i).encode());
                        chunk.put(path(i), entry(i, label));
                    }
                    tree = trees.apply(tree, chunk, ins);
                    ins.flush();
                }
            }
            Commit c = new Commit(tree, List.of(), "bench", Times.now(), "generated", List.of(), List.of("production"));
            try (ObjectStore.Inserter ins = store.newInserter()) {
                commit = ins.insert(ObjectType.COMMIT, c.encode());
                ins.flush();
            }
            report("build " + n + " images and label records", t0);
            t0 = System.nanoTime();
            session.indexHistory(commit);
            report("index the commit", t0);
        }
        try (Session session = Session.open(dir.resolve("lib"))) {
            t0 = System.nanoTime();
            long[] rows = {0};
            session.index().listJudgements(session.readCommit(commit).tree(), r -> rows[0]++);
            report("index query alone (" + rows[0] + " label rows)", t0);
            t0 = System.nanoTime();
            long[] images = {0};
            new dev.dsv.quality.JudgementSource(session, commit.hex()).forEachImage(i -> images[0]++);
            report("judgements streamed by image (" + images[0] + " images)", t0);
            t0 = System.nanoTime();
            AgreementService.Report overall = new AgreementService(session).run(commit.hex(), AgreementService.By.NONE, 30);
            report("quality agreement (alpha " + String.format("%.3f", overall.overall().alpha().value()) + ", "
                    + overall.overall().sharedUnits() + " shared images, " + overall.overall().pairs().size() + " pairs)", t0);
            t0 = System.nanoTime();
            AgreementService.Report byMonth = new AgreementService(session).run(commit.hex(), AgreementService.By.MONTH, 30);
            report("quality agreement --by month (" + byMonth.groups().size() + " months)", t0);
            t0 = System.nanoTime();
            DriftService.Report drift = new DriftService(session).run(commit.hex(), null, 2.5, 3);
            report("quality drift (" + drift.rows().size() + " labeler-months, " + drift.flags().size() + " flags)", t0);
        }
        System.out.printf("bench-quality %-60s %d MiB%n", "peak heap (all phases)", peakHeapMiB());
    }

    /** Image i shows blob i / 2, so each blob has two records, by labelers i % 7 and (i + 1) % 7. */
    private static LabelRecord label(int i) {
        int blob = i / 2;
        // Both raters usually give the blob's own class; one in eight judgements differs.
        int truth = Math.floorMod(mixed(blob), 4);
        int given = Math.floorMod(mixed(i * 31 + 7), 8) == 0 ? (truth + 1) % 4 : truth;
        List<Defect> defects = given == 3 ? List.of() : List.of(new Defect(DEFECTS.get(given), List.of()));
        OffsetDateTime at = OffsetDateTime.parse("2025-01-01T09:00:00+08:00").plusMonths(blob % 24).plusMinutes(i % 600);
        return new LabelRecord(blob(blob), defects, "lab-" + (i % 7), at, null, null);
    }

    private static int mixed(int x) {
        int h = x * 0x9E3779B1;
        return h ^ (h >>> 15);
    }

    private static String path(int i) {
        return CELLS.get((i / 2) % CELLS.size()) + "/batch-" + (i / 100_000) + "/cell-" + String.format("%07d", i) + ".png";
    }

    private static ImageEntry entry(int i, ObjectId label) {
        SortedMap<String, String> attrs = CanonicalJson.newObject();
        return new ImageEntry(blob(i / 2), label, CELLS.get((i / 2) % CELLS.size()), "production", null, "train", attrs);
    }

    private static ObjectId blob(int i) {
        return ObjectId.fromBytes(DigestUtils.sha256(("blob-" + i).getBytes(StandardCharsets.UTF_8)));
    }

    private static long cpuAtLastReport;

    /** Prints the wall time of a step, the process CPU time since the last report and the heap in use. */
    private static void report(String step, long startNanos) {
        double wall = (System.nanoTime() - startNanos) / 1e9;
        long cpu = processCpuNanos();
        double cpuSeconds = (cpu - cpuAtLastReport) / 1e9;
        System.gc();
        long used = (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20;
        System.out.printf("bench-quality %-60s %8.2f s wall %8.2f s CPU   heap in use after GC %d MiB%n", step,
                wall, cpuSeconds, used);
        cpuAtLastReport = processCpuNanos();
    }

    private static long processCpuNanos() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0;
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
