package dev.dsv.jmh;

import dev.dsv.index.ImageFilter;
import dev.dsv.model.CanonicalJson;
import dev.dsv.model.Commit;
import dev.dsv.model.Defect;
import dev.dsv.model.ImageEntry;
import dev.dsv.model.LabelRecord;
import dev.dsv.model.ObjectId;
import dev.dsv.model.ObjectType;
import dev.dsv.model.Times;
import dev.dsv.service.Session;
import dev.dsv.store.ObjectStore;
import dev.dsv.tree.Trees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.codec.digest.DigestUtils;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Tree building and diff, and index writes and queries, on a generated repository of N images
 * (9 cell-type folders of lines of 10 000) with one label record each, committed and indexed in
 * the trial set-up. A change is 100 relabels spread evenly over the library, the worst case for
 * the number of tree nodes touched. The session's caches of tree nodes and label records stay
 * warm between invocations, so these are the costs of the work itself, not of reading packs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class TreeIndexBench {
    private static final List<String> CELLS = List.of("PERC", "TOPCon", "HJT", "IBC", "Al-BSF", "mono", "poly", "MBB",
            "half-cut");
    private static final List<String> DEFECTS = List.of("", "microcrack", "finger-interruption", "dark-spot");
    private static final OffsetDateTime LABELED_AT = Times.parseOrNull("2026-06-01T08:00:00+08:00");
    private static final int CHANGES = 100;

    @Param({"100000"})
    int images;

    private Path dir;
    private Session session;
    private Trees trees;
    private ObjectStore store;
    private ObjectId baseCommit;
    private ObjectId baseTree;
    private Map<String, ImageEntry> changes;
    private ObjectId changedTree;
    private ObjectId pendingCommit;
    private Commit pending;
    private int round;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("dsv-jmh");
        session = Session.init(dir.resolve("lib"));
        trees = session.trees();
        store = session.repository().store();
        Map<String, ImageEntry> all = new TreeMap<>(CanonicalJson.CODE_POINT_ORDER);
        try (ObjectStore.Inserter ins = store.newInserter()) {
            for (int i = 0; i < images; i++) {
                all.put(path(i), entry(ins, i, DEFECTS.get(i % DEFECTS.size()), 0));
            }
            baseTree = trees.apply(Trees.EMPTY_TREE, all, ins);
            ins.flush();
        }
        baseCommit = writeCommit(baseTree, List.of(), "base");
        session.indexHistory(baseCommit);
        changes = relabel(1);
        try (ObjectStore.Inserter ins = store.newInserter()) {
            changedTree = trees.apply(baseTree, changes, ins);
            ins.flush();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        session.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Writes a new commit of 100 relabels that the index has not seen, for {@link #indexCommit}. */
    @Setup(Level.Invocation)
    public void newCommit() {
        round++;
        ObjectId tree;
        try (ObjectStore.Inserter ins = store.newInserter()) {
            tree = trees.apply(baseTree, relabel(round + 1), ins);
            ins.flush();
        }
        pending = new Commit(tree, List.of(baseCommit), "jmh", LABELED_AT, "relabel " + round, List.of(),
                List.of("production"));
        try (ObjectStore.Inserter ins = store.newInserter()) {
            pendingCommit = ins.insert(ObjectType.COMMIT, pending.encode());
            ins.flush();
        }
    }

    /** Applies 100 scattered relabels to the tree and writes the changed nodes (never flushed). */
    @Benchmark
    public ObjectId applyChanges() {
        try (ObjectStore.Inserter ins = store.newInserter()) {
            return trees.apply(baseTree, changes, ins);
        }
    }

    /** Diffs the tree against the same tree with 100 scattered relabels. */
    @Benchmark
    public void diff(Blackhole bh) {
        trees.diff(baseTree, changedTree, (path, before, after) -> bh.consume(path));
    }

    /** Looks up one image by its dataset path. */
    @Benchmark
    public ImageEntry lookup() {
        return trees.lookup(baseTree, path(images / 2 + 1));
    }

    /** Indexes a commit of 100 scattered relabels: its new tree nodes, image rows and labels. */
    @Benchmark
    public void indexCommit() {
        session.index().indexCommit(pendingCommit, pending, trees, session::readLabel);
    }

    /** Lists one cell type x defect x split subset (about 1/72 of the library) from the index. */
    @Benchmark
    public void listSubset(Blackhole bh) {
        session.index().listImages(baseTree, new ImageFilter("TOPCon", "microcrack", "train", null, null), bh::consume);
    }

    /** Counts the images per cell type x defect from the index. */
    @Benchmark
    public Map<List<String>, Long> countByCellDefect() {
        return session.index().countByCellDefect(baseTree, ImageFilter.ALL);
    }

    private Map<String, ImageEntry> relabel(int r) {
        Map<String, ImageEntry> out = new TreeMap<>(CanonicalJson.CODE_POINT_ORDER);
        try (ObjectStore.Inserter ins = store.newInserter()) {
            int step = images / CHANGES;
            for (int i = step / 2; i < images; i += step) {
                out.put(path(i), entry(ins, i, "crack", r));
            }
            ins.flush();
        }
        return out;
    }

    private ObjectId writeCommit(ObjectId tree, List<ObjectId> parents, String message) {
        Commit c = new Commit(tree, parents, "jmh", LABELED_AT, message, List.of(), List.of("production"));
        try (ObjectStore.Inserter ins = store.newInserter()) {
            ObjectId id = ins.insert(ObjectType.COMMIT, c.encode());
            ins.flush();
            return id;
        }
    }

    private static ImageEntry entry(ObjectStore.Inserter ins, int i, String defect, int round) {
        ObjectId blob = ObjectId.fromBytes(DigestUtils.sha256(("blob-" + i).getBytes(StandardCharsets.UTF_8)));
        List<Defect> defects = defect.isEmpty() ? List.of() : List.of(new Defect(defect, List.of()));
        LabelRecord label = new LabelRecord(blob, defects, "lab-" + (i % 40), LABELED_AT.plusSeconds(round), null, null);
        ObjectId labelId = ins.insert(ObjectType.LABEL, label.encode());
        return new ImageEntry(blob, labelId, CELLS.get(i % CELLS.size()), "production", null,
                i % 10 < 8 ? "train" : "test", CanonicalJson.newObject());
    }

    private static String path(int i) {
        return CELLS.get(i % CELLS.size()) + "/" + String.format("line-%02d/cell-%07d.png", i / 10_000, i);
    }
}
