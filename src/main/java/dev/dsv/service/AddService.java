package dev.dsv.service;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.error.Problem;
import dev.dsv.index.Index;
import dev.dsv.ingest.DsvCsvLabels;
import dev.dsv.ingest.FolderScanner;
import dev.dsv.ingest.ImageCheck;
import dev.dsv.ingest.InvalidImageException;
import dev.dsv.ingest.LabelRow;
import dev.dsv.ingest.SourceFile;
import dev.dsv.model.CanonicalJson;
import dev.dsv.model.DatasetPath;
import dev.dsv.model.ImageEntry;
import dev.dsv.model.LabelRecord;
import dev.dsv.quality.PausedLabelCheck;
import dev.dsv.model.ObjectId;
import dev.dsv.model.ObjectType;
import dev.dsv.model.Times;
import dev.dsv.repo.RepositoryLock;
import dev.dsv.repo.Stage;
import dev.dsv.store.ObjectStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code dsv add}: ingests image files into the store and stages them with their labels. Every
 * check runs before the stage changes, and a failed add discards what it wrote, so the repository
 * is left exactly as it was. See docs/design.md, "Ingest".
 */
public final class AddService {
    /** Files whose mtime or ctime is this close to the add are not put in the stat cache (racy). */
    private static final long RACY_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** At most this many problems are reported, so a wrong folder does not flood the terminal. */
    public static final int MAX_PROBLEMS = 50;
    /**
     * Bytes of each file read in one request before the check: the whole of most cell images, so
     * that the check and the hash read a cold file with one disk request.
     */
    private static final int START_BYTES = 1 << 20;
    /**
     * Minimum number of files read at once, whatever the core count. A disk serves several requests
     * at a time, so a cold read waits less with more of them queued. For example, on a 2-core
     * virtual machine with one virtio disk, scripts/BenchLimits.java read 100 000 cold files of
     * 40 KB in 17 s with 2 threads, 8.4 s with 4 and 6.9 s with 8.
     */
    private static final int MIN_READERS = 8;

    /**
     * The request of one add. {@code prefix} null means the default (the folder's own name).
     * {@code allowImplausible} is the override reason for staging synthetic images that fail the
     * plausibility filter, or null.
     */
    public record Options(List<Path> paths, Path labels, String prefix, boolean replace, LabelDefaults defaults,
                          String allowImplausible, dev.dsv.ingest.CsvLayout labelsLayout) {
        public Options(List<Path> paths, Path labels, String prefix, boolean replace, LabelDefaults defaults) {
            this(paths, labels, prefix, replace, defaults, null);
        }

        public Options(List<Path> paths, Path labels, String prefix, boolean replace, LabelDefaults defaults,
                       String allowImplausible) {
            this(paths, labels, prefix, replace, defaults, allowImplausible, dev.dsv.ingest.CsvLayout.DEFAULT);
        }
    }

    /** A synthetic image that failed the plausibility filter; no failures means its cell type has no profile. */
    public record Implausible(Path file, String datasetPath, String cellType,
                              List<dev.dsv.synthetic.PlausibilityProfile.Failure> failures) {
    }

    /**
     * Counts of what an add did, the synthetic images discarded as implausible, those staged by
     * override, and the {@code override} record (null when none was written).
     * {@code markedForFullReview} counts the new label records of paused labelers that were
     * staged with a full-review mark.
     */
    public record Result(int files, int hashed, int fromStatCache, long bytesHashed, int added, int replaced,
                         int relabeled, int factsChanged, int unchanged, ObjectId stageTree, int markedForFullReview,
                         List<Implausible> discarded, List<Implausible> overridden, ObjectId overrideRecord) {
        public int staged() {
            return added + replaced + relabeled + factsChanged;
        }
    }

    private final Session session;
    private final Progress progress;

    public AddService(Session session, Progress progress) {
        this.session = session;
        this.progress = progress;
    }

    public Result add(Options options) {
        try (RepositoryLock lock = session.lock("add")) {
            return addLocked(options);
        }
    }

    private record Located(SourceFile file, String datasetPath, Path folder) {
    }

    /** The files the walk found at one added path: those of a folder in walk order, or the one file. */
    record Scanned(Path path, boolean folder, List<SourceFile> files) {
    }

    private Result addLocked(Options options) {
        List<Problem> problems = new ArrayList<>();
        progress.start("scan", 0);
        List<Scanned> scanned = walk(options, problems);
        progress.finish();
        AddScanMemo scan = problems.isEmpty() ? AddScanMemo.of(session, options, scanned) : null;
        if (scan != null && scan.unchangedSince(session.stage().tree())) {
            // An earlier add of the same files, labels file and options left this very stage.
            int files = scanned.stream().mapToInt(s -> s.files().size()).sum();
            return new Result(files, 0, files, 0, 0, 0, 0, 0, files, session.stage().tree(), 0, List.of(), List.of(),
                    null);
        }
        List<Located> located = locate(options, scanned, problems);
        Index index = session.index();
        List<ImageDraft> drafts = attachLabels(options, located, problems);
        throwIfAny(problems);
        SyntheticScreen.Outcome screen = SyntheticScreen.screen(session, progress, drafts, options.allowImplausible());
        drafts = screen.kept();
        List<Implausible> discarded = implausible(screen.discarded());
        List<Implausible> overridden = implausible(screen.overridden());

        Map<String, Index.StatRow> cache = new HashMap<>();
        for (Path path : options.paths()) {
            cache.putAll(index.statCache(cacheKeyPrefix(path)));
        }
        ObjectId[] blobs = new ObjectId[drafts.size()];
        List<Integer> toHash = new ArrayList<>();
        for (int i = 0; i < drafts.size(); i++) {
            SourceFile f = drafts.get(i).file();
            Index.StatRow row = cache.get(cacheKey(f));
            if (row != null && row.size() == f.size() && row.mtimeNanos() == f.mtimeNanos()
                    && row.ctimeNanos() == f.ctimeNanos() && row.fileKey().equals(f.fileKey())
                    && session.repository().store().contains(row.blob())) {
                blobs[i] = row.blob();
            } else {
                toHash.add(i);
            }
        }

        Stage current = session.stage();
        byte[][] encoded = toHash.isEmpty() ? LabelMatches.encode(drafts, blobs) : null;
        String input = encoded != null ? LabelMatches.inputHash(encoded, options.replace()) : null;
        if (input != null && current.tree().equals(index.addMemo(input))) {
            // The same resolved input was added onto this very stage before, so every image is
            // unchanged; this skips reading each image's label record.
            if (scan != null && discarded.isEmpty() && overridden.isEmpty()) {
                scan.record(current.tree());
            }
            return new Result(drafts.size(), 0, drafts.size(), 0, 0, 0, 0, 0, drafts.size(), current.tree(), 0,
                    discarded, overridden, null);
        }

        List<ObjectStore.Inserter> inserters = Collections.synchronizedList(new ArrayList<>());
        try {
            long bytes = hashAll(drafts, toHash, blobs, inserters, problems);
            throwIfAny(problems);
            ObjectStore.Inserter main = session.repository().store().newInserter();
            inserters.add(main);
            Stage stage = session.stage();
            Counts counts = new Counts();
            PausedLabelCheck paused = PausedLabelCheck.forCurrentBranch(session);
            if (encoded == null) {
                encoded = LabelMatches.encode(drafts, blobs);
                input = LabelMatches.inputHash(encoded, options.replace());
            }
            LabelMatches matches = LabelMatches.load(index, drafts, encoded);
            Map<String, ImageEntry> changes = buildChanges(drafts, blobs, stage.tree(), options.replace(), main, counts,
                    paused, matches, problems);
            throwIfAny(problems);

            ObjectId tree = stage.tree();
            if (!changes.isEmpty()) {
                tree = session.trees().apply(stage.tree(), changes, main);
            }
            // Flushed even when nothing is staged: an unchanged re-add restores blobs that had
            // gone missing from the store.
            for (ObjectStore.Inserter ins : inserters) {
                ins.flush();
            }
            int marked = 0;
            if (!changes.isEmpty()) {
                // The marks go first: a crash before the stage is written leaves marks on records
                // that were never staged, which no review sample draws.
                marked = paused.writeMarks();
                session.repository().writeStage(new Stage(stage.base(), tree));
            }
            ObjectId overrideRecord = null;
            List<SyntheticScreen.Rejected> stagedOverrides = screen.overridden().stream()
                    .filter(r -> changes.containsKey(r.draft().datasetPath())).toList();
            if (!stagedOverrides.isEmpty()) {
                Map<String, ObjectId> blobByPath = new HashMap<>();
                changes.forEach((path, entry) -> blobByPath.put(path, entry.blob()));
                overrideRecord = SyntheticScreen.recordOverride(session, tree, options.allowImplausible(),
                        stagedOverrides, blobByPath);
            }
            index.putStatCache(statRows(drafts, toHash, blobs));
            matches.save(index);
            index.putAddMemo(input, tree);
            if (scan != null && discarded.isEmpty() && overridden.isEmpty()) {
                scan.record(tree);
            }
            return new Result(drafts.size(), toHash.size(), drafts.size() - toHash.size(), bytes,
                    counts.added, counts.replaced, counts.relabeled, counts.factsChanged, counts.unchanged, tree,
                    marked, discarded, overridden, overrideRecord);
        } finally {
            for (ObjectStore.Inserter ins : inserters) {
                ins.close();
            }
        }
    }

    private static List<Implausible> implausible(List<SyntheticScreen.Rejected> rejected) {
        return rejected.stream().map(r -> new Implausible(r.draft().file().file(), r.draft().datasetPath(),
                r.draft().cellType(), r.failures())).toList();
    }

    // ---- step 1: find files and dataset paths ----

    private static List<Scanned> walk(Options options, List<Problem> problems) {
        List<Scanned> out = new ArrayList<>();
        for (Path path : options.paths()) {
            if (!Files.exists(path)) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.add.pathNotFound", path);
            }
            if (Files.isDirectory(path)) {
                out.add(new Scanned(path, true, FolderScanner.walk(path, options.labels(), problems)));
            } else {
                out.add(new Scanned(path, false, List.of(FolderScanner.single(path))));
            }
        }
        return out;
    }

    private List<Located> locate(Options options, List<Scanned> scanned, List<Problem> problems) {
        List<Located> out = new ArrayList<>();
        for (Scanned s : scanned) {
            Path path = s.path();
            if (s.folder()) {
                String prefix = options.prefix() != null ? options.prefix().replaceAll("/+$", "") : folderName(path);
                for (SourceFile f : FolderScanner.inPathOrder(s.files())) {
                    datasetPath(DatasetPath.join(prefix, f.relativePath()), f, problems)
                            .ifPresent(p -> out.add(new Located(f, p, path)));
                }
            } else {
                SourceFile f = s.files().get(0);
                String prefix = options.prefix() != null ? options.prefix() : "";
                datasetPath(DatasetPath.join(prefix, f.relativePath()), f, problems)
                        .ifPresent(p -> out.add(new Located(f, p, path.toAbsolutePath().getParent())));
            }
        }
        Map<String, Located> seen = new HashMap<>();
        Map<String, Located> seenFolded = new HashMap<>();
        for (Located l : out) {
            Located other = seen.putIfAbsent(l.datasetPath(), l);
            if (other != null) {
                problems.add(new Problem("error.add.duplicatePath", l.datasetPath(), other.file().file(), l.file().file()));
                continue;
            }
            Located variant = seenFolded.putIfAbsent(DatasetPath.fold(l.datasetPath()), l);
            if (variant != null) {
                problems.add(new Problem("error.path.caseConflict", variant.datasetPath(), l.datasetPath()));
            }
        }
        return out;
    }

    private static String folderName(Path folder) {
        try {
            Path name = folder.toRealPath().getFileName();
            return name == null ? "" : CanonicalJson.nfc(name.toString());
        } catch (IOException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.add.folderUnreadable", folder, e.getMessage());
        }
    }

    private static java.util.Optional<String> datasetPath(String raw, SourceFile f, List<Problem> problems) {
        try {
            return java.util.Optional.of(DatasetPath.normalize(raw));
        } catch (DsvException e) {
            problems.add(new Problem("error.add.invalidDatasetPath", f.file(), raw, e.arguments()[1]));
            return java.util.Optional.empty();
        }
    }

    // ---- step 2: match labels ----

    private List<ImageDraft> attachLabels(Options options, List<Located> located, List<Problem> problems) {
        LabelRowResolver resolver = new LabelRowResolver(session, options.defaults());
        List<ImageDraft> drafts = new ArrayList<>();
        if (options.labels() == null) {
            for (Located l : located) {
                ImageDraft d = resolver.resolve(l.file(), l.datasetPath(), null, problems);
                if (d != null) {
                    drafts.add(d);
                }
            }
            return drafts;
        }
        if (Files.isDirectory(options.labels())) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.labels.isFolder", options.labels());
        }
        if (!Files.isRegularFile(options.labels())) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.labels.notFound", options.labels());
        }
        List<LabelRow> rows = new DsvCsvLabels(options.labels(), false, options.labelsLayout()).read(problems);
        Map<String, LabelRow> byPath = new TreeMap<>(CanonicalJson.CODE_POINT_ORDER);
        Map<String, LabelRow> byFolded = new HashMap<>();
        String rowPrefix = null;
        if (options.paths().size() == 1 && Files.isDirectory(options.paths().get(0))) {
            rowPrefix = options.prefix() != null ? options.prefix().replaceAll("/+$", "") : folderName(options.paths().get(0));
        }
        for (LabelRow row : rows) {
            String key = rowDatasetPath(rowPrefix, row, problems);
            if (key == null) {
                continue;
            }
            LabelRow first = byPath.putIfAbsent(key, row);
            if (first != null) {
                problems.add(new Problem("error.labels.duplicatePath", row.where(), key, first.where()));
                continue;
            }
            LabelRow variant = byFolded.putIfAbsent(DatasetPath.fold(key), row);
            if (variant != null) {
                problems.add(new Problem("error.labels.caseConflict", row.where(), key, variant.where()));
            }
        }
        java.util.Set<String> used = new java.util.HashSet<>();
        for (Located l : located) {
            LabelRow row = byPath.get(l.datasetPath());
            if (row == null) {
                problems.add(new Problem("error.add.unlabeled", l.file().file(), l.datasetPath(), options.labels()));
                continue;
            }
            used.add(l.datasetPath());
            ImageDraft d = resolver.resolve(l.file(), l.datasetPath(), row, problems);
            if (d != null) {
                drafts.add(d);
            }
        }
        for (Map.Entry<String, LabelRow> e : byPath.entrySet()) {
            if (!used.contains(e.getKey())) {
                problems.add(new Problem("error.labels.imageMissing", e.getValue().where(), e.getKey()));
            }
        }
        return drafts;
    }

    /**
     * Maps a labels row to a dataset path. A {@code path} is relative to the one added folder,
     * whose dataset prefix is {@code rowPrefix} (null when more than one path or a file was added).
     */
    private static String rowDatasetPath(String rowPrefix, LabelRow row, List<Problem> problems) {
        String raw;
        if (row.datasetPath() != null) {
            raw = row.datasetPath();
        } else if (row.path() != null) {
            if (rowPrefix == null) {
                problems.add(new Problem("error.labels.pathNeedsOneFolder", row.where()));
                return null;
            }
            raw = row.path().startsWith("./") ? row.path().substring(2) : row.path();
            try {
                raw = DatasetPath.join(rowPrefix, DatasetPath.normalize(raw));
            } catch (DsvException e) {
                problems.add(new Problem("error.labels.invalidPath", row.where(), row.path(), e.arguments()[1]));
                return null;
            }
        } else {
            problems.add(new Problem("error.labels.noPath", row.where()));
            return null;
        }
        try {
            return DatasetPath.normalize(raw);
        } catch (DsvException e) {
            problems.add(new Problem("error.labels.invalidPath", row.where(), raw, e.arguments()[1]));
            return null;
        }
    }

    // ---- step 3: check and hash ----

    /**
     * Checks and stores the files of {@code toHash} on {@link #readerCount} threads, which share
     * one inserter per core. A thread takes an inserter only to hash and write a file that it has
     * read and checked, so more reads are in flight than there are cores. On a cold page cache the
     * threads mostly wait for the disk, and the extra reads keep its queue full.
     */
    private long hashAll(List<ImageDraft> drafts, List<Integer> toHash, ObjectId[] blobs,
                         List<ObjectStore.Inserter> inserters, List<Problem> problems) {
        int cores = Runtime.getRuntime().availableProcessors();
        int threads = Math.max(1, Math.min(readerCount(cores), toHash.size()));
        BlockingQueue<ObjectStore.Inserter> free = new ArrayBlockingQueue<>(threads);
        for (int k = 0; k < Math.min(cores, threads); k++) {
            ObjectStore.Inserter inserter = session.repository().store().newInserter();
            inserters.add(inserter);
            free.add(inserter);
        }
        AtomicInteger next = new AtomicInteger();
        AtomicLong bytes = new AtomicLong();
        List<Problem> found = Collections.synchronizedList(new ArrayList<>());
        progress.start("hash", toHash.size());
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "dsv-hash");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    byte[] start = new byte[START_BYTES];
                    int i;
                    while ((i = next.getAndIncrement()) < toHash.size() && found.size() < MAX_PROBLEMS) {
                        int at = toHash.get(i);
                        SourceFile f = drafts.get(at).file();
                        blobs[at] = checkAndStore(f, start, free, found);
                        bytes.addAndGet(f.size());
                        progress.advance(1);
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DsvException(ExitCode.INTERNAL, e, "error.interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
            progress.finish();
        }
        problems.addAll(found);
        return bytes.get();
    }

    /**
     * Returns the number of threads that read files: one per core, and at least
     * {@link #MIN_READERS}, because the number of reads a disk serves at once does not follow the
     * cores.
     */
    private static int readerCount(int cores) {
        return Math.max(cores, MIN_READERS);
    }

    /**
     * Checks one file and stores it as a blob. The first {@code start.length} bytes are read once,
     * in one request from position 0, and serve both the check and the hash. The rest of a larger
     * file is streamed after them. On a cold page cache each small positional read of the check
     * would otherwise be a disk request of its own.
     */
    private static ObjectId checkAndStore(SourceFile f, byte[] start, BlockingQueue<ObjectStore.Inserter> free,
                                          List<Problem> problems) throws InterruptedException {
        try (FileChannel ch = FileChannel.open(f.file(), StandardOpenOption.READ)) {
            ByteBuffer head = readStart(ch, start, f.size());
            try {
                ImageCheck.check(ch, head);
            } catch (InvalidImageException e) {
                problems.add(new Problem("error.image." + e.reason().name(), f.file(), e.detail()));
                return null;
            }
            InputStream rest = Channels.newInputStream(ch.position(head.limit()));
            ObjectStore.Inserter inserter = free.take();
            try {
                return inserter.insertBlob(new SequenceInputStream(
                        new ByteArrayInputStream(start, 0, head.limit()), rest));
            } finally {
                free.add(inserter);
            }
        } catch (IOException e) {
            problems.add(new Problem("error.add.fileUnreadable", f.file(), e.getMessage()));
            return null;
        }
    }

    /**
     * Reads the file from position 0 into {@code start} until {@code expectedSize} bytes (the size
     * the walk found) are read, the array is full or the file ends. Returns a buffer over the bytes
     * read, with position 0.
     */
    private static ByteBuffer readStart(FileChannel ch, byte[] start, long expectedSize) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(start);
        int target = (int) Math.min(start.length, Math.max(1, expectedSize));
        while (buffer.position() < target) {
            if (ch.read(buffer, buffer.position()) < 0) {
                break;
            }
        }
        return buffer.flip();
    }

    // ---- step 4: compare with the stage ----

    private static final class Counts {
        int added;
        int replaced;
        int relabeled;
        int factsChanged;
        int unchanged;
    }

    private Map<String, ImageEntry> buildChanges(List<ImageDraft> drafts, ObjectId[] blobs, ObjectId stageTree,
                                                 boolean replace, ObjectStore.Inserter inserter, Counts counts,
                                                 PausedLabelCheck paused, LabelMatches matches,
                                                 List<Problem> problems) {
        OffsetDateTime now = Times.now();
        ObjectId headTree = session.treeOf(session.repository().headCommit());
        Map<String, ImageEntry> changes = new TreeMap<>(CanonicalJson.CODE_POINT_ORDER);
        for (int i = 0; i < drafts.size(); i++) {
            ImageDraft d = drafts.get(i);
            ObjectId blob = blobs[i];
            ImageEntry existing = session.trees().lookup(stageTree, d.datasetPath());
            boolean sameBlob = existing != null && existing.blob().equals(blob);
            // A staged record known to match this very row needs no read.
            boolean known = sameBlob && matches.knownMatch(i, d.datasetPath(), existing);
            LabelRecord previous = existing == null || known ? null : session.readLabel(existing.label());

            LabelRecord draft = new LabelRecord(blob, d.defects(), d.labeler(),
                    d.labeledAt() != null ? d.labeledAt() : now, d.confidence(), null, d.guideline(), null);
            boolean sameLabel = known || sameBlob && draft.sameJudgement(previous)
                    && (d.labeledAt() == null || d.labeledAt().equals(previous.labeledAt()));
            if (!sameLabel && !paused.accept(draft.labeler(), draft.labeledAt(), d.where() + " (" + d.datasetPath() + ")",
                    problems)) {
                if (problems.size() >= MAX_PROBLEMS) {
                    break;
                }
                continue;
            }
            ObjectId labelId = sameLabel ? existing.label()
                    : Relabels.newRecord(session, headTree, d.datasetPath(), draft, d.labeledAt() != null, inserter);
            // Vectors describe the image's bytes: they stay with the same blob and go with a replaced one.
            ImageEntry entry = new ImageEntry(blob, labelId, d.cellType(), d.source(), d.generator(), d.split(),
                    d.attributes(), sameBlob ? existing.features() : java.util.Collections.emptySortedMap());
            if (existing == null) {
                counts.added++;
            } else if (existing.equals(entry)) {
                counts.unchanged++;
                matches.found(i, d.datasetPath(), labelId);
                continue;
            } else if (!replace) {
                String difference = "facts";
                if (!sameBlob) {
                    difference = "image";
                } else if (!sameLabel) {
                    difference = "labels";
                }
                problems.add(new Problem("error.add.exists." + difference, d.datasetPath(), d.file().file()));
                if (problems.size() >= MAX_PROBLEMS) {
                    break;
                }
                continue;
            } else if (!sameBlob) {
                counts.replaced++;
            } else if (!sameLabel) {
                counts.relabeled++;
            } else {
                counts.factsChanged++;
            }
            if (!sameLabel) {
                paused.mark(labelId, draft.labeler(), draft.labeledAt());
            }
            changes.put(d.datasetPath(), entry);
            matches.found(i, d.datasetPath(), labelId);
        }
        return changes;
    }

    // ---- step 5: remember what was hashed ----

    private static Map<String, Index.StatRow> statRows(List<ImageDraft> drafts, List<Integer> hashed, ObjectId[] blobs) {
        long racyAfter = System.currentTimeMillis() * 1_000_000L - RACY_NANOS;
        Map<String, Index.StatRow> rows = new HashMap<>();
        for (int i : hashed) {
            SourceFile f = drafts.get(i).file();
            if (blobs[i] != null && f.changedNanos() < racyAfter) {
                rows.put(cacheKey(f), new Index.StatRow(f.size(), f.mtimeNanos(), f.ctimeNanos(), f.fileKey(), blobs[i]));
            }
        }
        return rows;
    }

    private static String cacheKeyPrefix(Path added) {
        try {
            return CanonicalJson.nfc(added.toRealPath().toString());
        } catch (IOException e) {
            return CanonicalJson.nfc(added.toAbsolutePath().normalize().toString());
        }
    }

    private static String cacheKey(SourceFile f) {
        return CanonicalJson.nfc(f.file().toAbsolutePath().normalize().toString());
    }

    private static void throwIfAny(List<Problem> problems) {
        if (!problems.isEmpty()) {
            List<Problem> shown = problems.size() > MAX_PROBLEMS ? problems.subList(0, MAX_PROBLEMS) : problems;
            throw new DsvException(ExitCode.INVALID_INPUT, "error.add.rejected", problems.size()).withProblems(shown);
        }
    }
}
