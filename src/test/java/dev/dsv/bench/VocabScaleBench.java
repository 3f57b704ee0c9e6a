package dev.dsv.bench;

import dev.dsv.model.CanonicalJson;
import dev.dsv.model.Commit;
import dev.dsv.model.Defect;
import dev.dsv.model.ImageEntry;
import dev.dsv.model.LabelRecord;
import dev.dsv.model.ObjectId;
import dev.dsv.model.ObjectType;
import dev.dsv.model.Region;
import dev.dsv.model.Times;
import dev.dsv.index.ImageFilter;
import dev.dsv.service.LsService;
import dev.dsv.service.Session;
import dev.dsv.service.VocabularyMapper;
import dev.dsv.service.VocabularyService;
import dev.dsv.store.ObjectStore;
import dev.dsv.tree.Trees;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * Measures {@code dsv vocab rename} over a generated library of N images, of which every
 * {@code 1/share}-th has the defect {@code crack} (with a box region), the rest {@code microcrack}
 * or no defect. Every image has its own label record, as in a real library. Image blobs are not
 * stored: a rename reads trees, the index and label records only. Run through scripts/bench-vocab.
 * Arguments: N EVERY WORKDIR, where every EVERY-th image has crack.
 */
public final class VocabScaleBench {
    private static final List<String> CELLS = List.of("PERC", "TOPCon", "HJT", "IBC", "Al-BSF", "mono", "poly", "MBB",
            "half-cut");
    private static final int CHUNK = 50_000;

    private VocabScaleBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        int every = Integer.parseInt(args[1]);
        Path dir = Path.of(args[2]);
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
                        ObjectId label = ins.insert(ObjectType.LABEL, label(i, every).encode());
                        chunk.put(path(i), entry(i, label));
                    }
                    tree = trees.apply(tree, chunk, ins);
                    ins.flush();
                }
            }
            Commit c = new Commit(tree, List.of(), "bench", Times.now(), "library", List.of(), List.of("production"));
            ObjectId commit;
            try (ObjectStore.Inserter ins = store.newInserter()) {
                commit = ins.insert(ObjectType.COMMIT, c.encode());
                ins.flush();
            }
            session.repository().updateBranch("work", null, commit);
            session.repository().setHead("work");
            report("build library of " + n + " images (labels, trees)", t0);

            t0 = System.nanoTime();
            session.indexHistory(commit);
            report("index the library", t0);

            t0 = System.nanoTime();
            VocabularyService.Result r = new VocabularyService(session, new PhaseTimes()).rename("crack", "fissure", null);
            report("vocab rename crack -> fissure (" + r.images() + " images)", t0);
            if (r.images() != (n + every - 1) / every) {
                throw new IllegalStateException("unexpected count " + r.images());
            }

            LsService ls = new LsService(session);
            t0 = System.nanoTime();
            Map<List<String>, Long> after = ls.summary(ls.treeAt("HEAD"), ImageFilter.ALL);
            report("ls --summary of the result (SQL count)", t0);
            t0 = System.nanoTime();
            Map<List<String>, Long> mapped = ls.summary(ls.treeAt(commit.hex()), ImageFilter.ALL,
                    VocabularyMapper.forCommit(session, commit));
            report("ls --summary --vocabulary current of the old commit", t0);
            if (!after.equals(mapped)) {
                throw new IllegalStateException("mapped summary differs: " + after + " vs " + mapped);
            }
        }
    }

    /** Prints the wall time of each phase of the rename (find, relabel, commit with indexing). */
    private static final class PhaseTimes implements dev.dsv.service.Progress {
        private String phase;
        private long started;

        @Override
        public void start(String name, long total) {
            phase = name;
            started = System.nanoTime();
        }

        @Override
        public void advance(long done) {
        }

        @Override
        public void finish() {
            System.out.printf("bench-vocab   phase %-50s %8.2f s%n", phase, (System.nanoTime() - started) / 1e9);
        }
    }

    private static LabelRecord label(int i, int every) {
        List<Defect> defects;
        if (i % every == 0) {
            defects = List.of(new Defect("crack", List.of(Region.box(List.of(
                    BigDecimal.valueOf(i % 200), BigDecimal.TEN, BigDecimal.valueOf(30), BigDecimal.valueOf(4))))));
        } else if (i % 3 == 0) {
            defects = List.of(new Defect("microcrack", List.of()));
        } else {
            defects = List.of();
        }
        return new LabelRecord(blob(i), defects, "lab-" + (i % 40), Times.parseOrNull("2026-06-01T08:00:00+08:00"),
                new BigDecimal("0.9"), null);
    }

    private static String path(int i) {
        return CELLS.get(i % CELLS.size()) + "/line-" + (i / 100_000) + "/cell-" + String.format("%07d", i) + ".png";
    }

    private static ImageEntry entry(int i, ObjectId label) {
        SortedMap<String, String> attrs = CanonicalJson.newObject();
        attrs.put("module", "M-" + (i / 60));
        return new ImageEntry(blob(i), label, CELLS.get(i % CELLS.size()), "production", null,
                i % 10 < 8 ? "train" : "test", attrs);
    }

    private static ObjectId blob(int i) {
        return ObjectId.fromBytes(DigestUtils.sha256(("blob-" + i).getBytes(StandardCharsets.UTF_8)));
    }

    private static void report(String step, long startNanos) {
        System.gc();
        long used = (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20;
        System.out.printf("bench-vocab %-56s %8.2f s   heap in use after GC %d MiB%n", step,
                (System.nanoTime() - startNanos) / 1e9, used);
    }
}
