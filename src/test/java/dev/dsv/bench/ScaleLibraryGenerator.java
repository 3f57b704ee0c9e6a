package dev.dsv.bench;

import dev.dsv.model.CanonicalJson;
import dev.dsv.model.Defect;
import dev.dsv.model.ImageEntry;
import dev.dsv.model.LabelRecord;
import dev.dsv.model.ObjectId;
import dev.dsv.model.ObjectType;
import dev.dsv.model.Times;
import dev.dsv.repo.Stage;
import dev.dsv.service.Session;
import dev.dsv.store.ObjectStore;
import dev.dsv.testing.TinyPng;
import dev.dsv.tree.Trees;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * Generates the library that scripts/bench-scale measures: N images (default 2 000 000), each
 * with its own label record, in 9 cell-type folders of lines of 100 000 images, so each
 * cell-type x line folder holds about 11 000 images. Images share a pool of tiny PNG blobs, which
 * are stored, so the library is complete (fsck, export and push work on it). The images are
 * staged, not committed: the script commits them through the CLI.
 *
 * <p>Besides the library it writes, in WORKDIR:
 * <ul>
 *   <li>{@code PERC/line-00/}: the files of one folder of the library (about 11 000), and
 *       {@code work-labels.csv} with their labels as recorded, so that {@code dsv add PERC/line-00
 *       --prefix PERC/line-00 --labels work-labels.csv} stages nothing;</li>
 *   <li>{@code relabel-R.csv} for R = 1..3: 10 000 relabels spread evenly over the library, each
 *       round with other defects than the round before.</li>
 * </ul>
 * Arguments: {@code generate N WORKDIR}; prints the wall time of each phase. Or {@code change
 * FOLDER COUNT ROUND}: rewrites COUNT files of FOLDER (spread over it, other files in each round)
 * with new PNG images that no round before wrote.
 */
public final class ScaleLibraryGenerator {
    static final List<String> CELLS = List.of("PERC", "TOPCon", "HJT", "IBC", "Al-BSF", "mono", "poly", "MBB",
            "half-cut");
    static final List<String> DEFECTS = List.of("", "microcrack", "finger-interruption", "dark-spot", "black-edge",
            "crack");
    private static final int BLOB_POOL = 1_000;
    private static final int LINE_SIZE = 100_000;
    private static final int RELABELS = 10_000;
    private static final OffsetDateTime FIRST_LABEL = Times.parseOrNull("2026-06-01T08:00:00+08:00");

    private ScaleLibraryGenerator() {
    }

    public static void main(String[] args) throws IOException {
        if (args[0].equals("change")) {
            change(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            return;
        }
        int n = Integer.parseInt(args[1]);
        Path work = Path.of(args[2]);
        Files.createDirectories(work);
        long t0 = System.nanoTime();
        byte[][] pool = new byte[BLOB_POOL][];
        ObjectId[] poolIds = new ObjectId[BLOB_POOL];
        for (int b = 0; b < BLOB_POOL; b++) {
            pool[b] = TinyPng.encode(16, 16, b);
            poolIds[b] = ObjectId.fromBytes(DigestUtils.sha256(pool[b]));
        }
        writeWorkFolder(n, work, pool);
        writeRelabels(n, work);
        report("work folder and relabel files", t0);

        t0 = System.nanoTime();
        try (Session session = Session.init(work.resolve("lib"))) {
            ObjectStore store = session.repository().store();
            Trees trees = session.trees();
            try (ObjectStore.Inserter ins = store.newInserter()) {
                for (int b = 0; b < BLOB_POOL; b++) {
                    ins.insert(ObjectType.BLOB, pool[b]);
                }
                ins.flush();
            }
            ObjectId tree = Trees.EMPTY_TREE;
            for (int start = 0; start < n; start += LINE_SIZE) {
                Map<String, ImageEntry> chunk = new TreeMap<>(CanonicalJson.CODE_POINT_ORDER);
                try (ObjectStore.Inserter ins = store.newInserter()) {
                    for (int i = start; i < Math.min(n, start + LINE_SIZE); i++) {
                        ObjectId blob = poolIds[i % BLOB_POOL];
                        ObjectId label = ins.insert(ObjectType.LABEL, label(i, blob).encode());
                        chunk.put(path(i), new ImageEntry(blob, label, CELLS.get(i % CELLS.size()), "production", null,
                                split(i), CanonicalJson.newObject()));
                    }
                    tree = trees.apply(tree, chunk, ins);
                    ins.flush();
                }
            }
            session.repository().writeStage(new Stage(null, tree));
        }
        report("stage of " + n + " images with their label records", t0);
    }

    private static void writeWorkFolder(int n, Path work, byte[][] pool) throws IOException {
        Path folder = work.resolve("PERC/line-00");
        Files.createDirectories(folder);
        try (Writer csv = Files.newBufferedWriter(work.resolve("work-labels.csv"))) {
            csv.write("path,cell_type,defects,split,source,labeler,labeled_at\n");
            for (int i = 0; i < Math.min(n, LINE_SIZE); i += CELLS.size()) {
                String name = String.format("cell-%07d.png", i);
                Files.write(folder.resolve(name), pool[i % BLOB_POOL]);
                csv.write(name + ",PERC," + defect(i) + "," + split(i) + ",production," + labeler(i)
                        + "," + Times.format(FIRST_LABEL.plusSeconds(i)) + "\n");
            }
        }
    }

    private static void change(Path folder, int count, int round) throws IOException {
        List<Path> files;
        try (var list = Files.list(folder)) {
            files = list.sorted().toList();
        }
        int step = Math.max(1, files.size() / count);
        for (int k = 0; k < count && k < files.size(); k++) {
            Path file = files.get((k * step + round) % files.size());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, TinyPng.encode(16, 16, 1_000_000L * round + k));
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void writeRelabels(int n, Path work) throws IOException {
        int step = Math.max(1, n / RELABELS);
        for (int round = 1; round <= 3; round++) {
            try (Writer csv = Files.newBufferedWriter(work.resolve("relabel-" + round + ".csv"))) {
                csv.write("dataset_path,defects\n");
                for (int i = step / 2; i < n; i += step) {
                    csv.write(path(i) + "," + DEFECTS.get((i / CELLS.size() + round) % DEFECTS.size()) + "\n");
                }
            }
        }
    }

    private static LabelRecord label(int i, ObjectId blob) {
        String d = defect(i);
        List<Defect> defects = d.isEmpty() ? List.of() : List.of(new Defect(d, List.of()));
        return new LabelRecord(blob, defects, labeler(i), FIRST_LABEL.plusSeconds(i), null, null);
    }

    static String path(int i) {
        return CELLS.get(i % CELLS.size()) + "/" + String.format("line-%02d/cell-%07d.png", i / LINE_SIZE, i);
    }

    private static String defect(int i) {
        return DEFECTS.get((i / CELLS.size()) % DEFECTS.size());
    }

    private static String split(int i) {
        return i % 10 < 8 ? "train" : "test";
    }

    private static String labeler(int i) {
        return "lab-" + (i % 40);
    }

    private static void report(String step, long startNanos) {
        System.out.printf("bench-scale generate: %-48s %8.1f s%n", step, (System.nanoTime() - startNanos) / 1e9);
    }
}
