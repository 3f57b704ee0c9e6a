package dev.dsv.service;

import dev.dsv.error.Problem;
import dev.dsv.ingest.CategoryMap;
import dev.dsv.ingest.CocoLabels;
import dev.dsv.ingest.CvatLabels;
import dev.dsv.ingest.DsvCsvLabels;
import dev.dsv.ingest.LabelStudioLabels;
import dev.dsv.ingest.SuperviselyLabels;
import dev.dsv.ingest.VocLabels;
import dev.dsv.ingest.YoloLabels;
import dev.dsv.ingest.LabelRow;
import dev.dsv.model.ImageEntry;
import dev.dsv.model.LabelRecord;
import dev.dsv.model.ObjectId;
import dev.dsv.model.ObjectType;
import dev.dsv.model.Times;
import dev.dsv.quality.PausedLabelCheck;
import dev.dsv.store.ObjectStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code dsv label import} and {@code dsv label set}: new label records for images the stage
 * already holds. Each new record supersedes the record in force; image facts stay. A judgement
 * equal to the one in force (and no new time given) changes nothing.
 */
public final class LabelService {
    private final Session session;
    private final boolean replaceUnannotated;
    private int markedForFullReview;

    public LabelService(Session session) {
        this(session, false);
    }

    /**
     * With {@code replaceUnannotated}, an annotation-tool import may clear defect types without
     * regions from images for which the file carries no annotation; without it such an
     * import is rejected (see {@link RegionlessGuard}).
     */
    public LabelService(Session session, boolean replaceUnannotated) {
        this.session = session;
        this.replaceUnannotated = replaceUnannotated;
    }

    /** Returns how many new records of paused labelers the last import or set marked for a full review. */
    public int markedForFullReview() {
        return markedForFullReview;
    }

    /** Reads the label rows of an import, given the stage tree; input problems go to {@code problems}. */
    @FunctionalInterface
    private interface RowReader {
        List<LabelRow> read(ObjectId stageTree, List<Problem> problems);
    }

    /** Imports a labels CSV keyed by {@code dataset_path} or {@code sha256}; returns the relabeled count. */
    public int importFile(Path file, LabelDefaults defaults) {
        return importFile(file, defaults, dev.dsv.ingest.CsvLayout.DEFAULT);
    }

    /** Imports a labels file in another layout (delimiter, header, column mapping, value rules). */
    public int importFile(Path file, LabelDefaults defaults, dev.dsv.ingest.CsvLayout layout) {
        if (!Files.isRegularFile(file)) {
            throw new dev.dsv.error.DsvException(dev.dsv.error.ExitCode.INVALID_INPUT, "error.labels.notFound", file);
        }
        return importRows((stageTree, problems) -> new DsvCsvLabels(file, true, layout).read(problems), defaults, false);
    }

    /**
     * Imports a COCO instances file whose {@code file_name}s are dataset paths. Categories are
     * mapped through {@code categoriesFile} (a {@code category,defect} CSV), or are defect types
     * themselves when it is null. With {@code fileTime} the file's modification time is the
     * labeled-at time of images that carry none. Returns the relabeled count.
     */
    public int importCoco(Path file, Path categoriesFile, LabelDefaults defaults, boolean fileTime) {
        String time = fileTime ? modifiedTime(file) : null;
        return importRows((stageTree, problems) -> new CocoLabels(file, categories(categoriesFile, problems),
                new StageImages(session, stageTree), time).read(problems), defaults, true);
    }

    /**
     * Imports a folder of YOLO label files with their class-names file, mapped like
     * {@link #importCoco}. With {@code fileTime} each label file's modification time is its
     * labeled-at time. Returns the relabeled count.
     */
    public int importYolo(Path dir, Path namesFile, Path categoriesFile, LabelDefaults defaults, boolean fileTime) {
        return importRows((stageTree, problems) -> new YoloLabels(dir, namesFile, categories(categoriesFile, problems),
                new StageImages(session, stageTree), fileTime).read(problems), defaults, true);
    }

    /**
     * Imports Pascal VOC XML files: one file, or every {@code .xml} file below a folder. Categories
     * are mapped like {@link #importCoco}. With {@code fileTime} each XML file's modification
     * time is its labeled-at time. {@code coordinates} is the files' coordinate convention.
     * Returns the relabeled count.
     */
    public int importVoc(Path input, Path categoriesFile, LabelDefaults defaults, boolean fileTime,
                         VocLabels.Coordinates coordinates) {
        return importRows((stageTree, problems) -> new VocLabels(input, categories(categoriesFile, problems),
                new StageImages(session, stageTree), fileTime, coordinates).read(problems), defaults, true);
    }

    /**
     * Imports a "CVAT for images 1.1" XML file whose image names are dataset paths, mapped like
     * {@link #importCoco}. With {@code fileTime} the file's modification time is the labeled-at
     * time. Returns the relabeled count.
     */
    public int importCvat(Path file, Path categoriesFile, LabelDefaults defaults, boolean fileTime) {
        String time = fileTime ? modifiedTime(file) : null;
        return importRows((stageTree, problems) -> new CvatLabels(file, categories(categoriesFile, problems),
                new StageImages(session, stageTree), time).read(problems), defaults, true);
    }

    /**
     * Imports a Label Studio JSON export, mapped like {@link #importCoco}. With {@code fileTime}
     * the file's modification time is the labeled-at time of annotations that carry none.
     * Returns the relabeled count.
     */
    public int importLabelStudio(Path file, Path categoriesFile, LabelDefaults defaults, boolean fileTime) {
        String time = fileTime ? modifiedTime(file) : null;
        return importRows((stageTree, problems) -> new LabelStudioLabels(file, categories(categoriesFile, problems),
                new StageImages(session, stageTree), time).read(problems), defaults, true);
    }

    /**
     * Imports the {@code ann} files of a Supervisely project or dataset folder, mapped like
     * {@link #importCoco}. With {@code fileTime} each annotation file's modification time is the
     * labeled-at time of images whose objects carry none. Returns the relabeled count.
     */
    public int importSupervisely(Path dir, Path categoriesFile, LabelDefaults defaults, boolean fileTime) {
        return importRows((stageTree, problems) -> new SuperviselyLabels(dir, categories(categoriesFile, problems),
                new StageImages(session, stageTree), fileTime).read(problems), defaults, true);
    }

    private CategoryMap categories(Path file, List<Problem> problems) {
        var defectTypes = session.repository().config().defectTypes();
        return file == null ? CategoryMap.identity(defectTypes) : CategoryMap.read(file, defectTypes, problems);
    }

    private static String modifiedTime(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new dev.dsv.error.DsvException(dev.dsv.error.ExitCode.INVALID_INPUT, "error.labels.notFound", file);
        }
        return YoloLabels.modificationTime(file);
    }

    /**
     * Relabels the staged images that the rows name, all or nothing. {@code toolFile} marks an
     * annotation-tool file, whose rows are checked by {@link RegionlessGuard}.
     */
    private int importRows(RowReader reader, LabelDefaults defaults, boolean toolFile) {
        LabelRowResolver resolver = new LabelRowResolver(session, defaults);
        PausedLabelCheck[] paused = new PausedLabelCheck[1];
        return StageEditor.edit(session, "label import", (stageTree, inserter, problems) -> {
            paused[0] = PausedLabelCheck.forCurrentBranch(session);
            ObjectId headTree = session.treeOf(session.repository().headCommit());
            List<LabelRow> rows = reader.read(stageTree, problems);
            Map<String, List<String>> pathsByBlob = null;
            Map<String, ImageEntry> changes = new TreeMap<>();
            Map<String, String> firstRow = new HashMap<>();
            OffsetDateTime now = Times.now();
            for (LabelRow row : rows) {
                if (!row.attributes().isEmpty() || row.cellType() != null || row.split() != null
                        || row.source() != null || row.generator() != null) {
                    problems.add(new Problem("error.label.factColumn", row.where()));
                    continue;
                }
                if (row.defects() == null) {
                    // Without the column every row would read as "no defect" and wipe the defects.
                    problems.add(new Problem("error.label.noDefectsColumn", row.where()));
                    continue;
                }
                List<String> paths = new ArrayList<>();
                if (row.datasetPath() != null) {
                    paths.add(row.datasetPath());
                } else if (row.sha256() != null) {
                    if (pathsByBlob == null) {
                        pathsByBlob = pathsByBlob(stageTree);
                    }
                    List<String> found = pathsByBlob.get(row.sha256().toLowerCase(java.util.Locale.ROOT));
                    if (found == null) {
                        problems.add(new Problem("error.label.blobNotStaged", row.where(), row.sha256()));
                        continue;
                    }
                    paths.addAll(found);
                } else {
                    problems.add(new Problem("error.labels.noPath", row.where()));
                    continue;
                }
                LabelRowResolver.Judgement judgement = resolver.judgement(row, row.where(), problems);
                if (judgement == null) {
                    continue;
                }
                for (String path : paths) {
                    ImageEntry entry = session.trees().lookup(stageTree, path);
                    if (entry == null) {
                        problems.add(new Problem("error.label.pathNotStaged", row.where(), path));
                        continue;
                    }
                    String earlier = firstRow.putIfAbsent(path, row.where());
                    if (earlier != null) {
                        problems.add(new Problem("error.labels.duplicatePath", row.where(), path, earlier));
                        continue;
                    }
                    if (toolFile && !replaceUnannotated
                            && !RegionlessGuard.check(session.readLabel(entry.label()), judgement.defects(), row.where(),
                            path, problems)) {
                        continue;
                    }
                    ImageEntry changed = relabel(path, row.where() + " (" + path + ")", entry, judgement, now, headTree,
                            inserter, paused[0], problems);
                    if (changed != null) {
                        changes.put(path, changed);
                    }
                }
            }
            return changes;
        }, () -> markedForFullReview = paused[0].writeMarks());
    }

    /** Sets the same judgement on images or folders given by dataset path; returns the relabeled count. */
    public int set(List<String> paths, LabelDefaults judgementFlags) {
        LabelRowResolver resolver = new LabelRowResolver(session, judgementFlags);
        PausedLabelCheck[] paused = new PausedLabelCheck[1];
        return StageEditor.edit(session, "label set", (stageTree, inserter, problems) -> {
            paused[0] = PausedLabelCheck.forCurrentBranch(session);
            Map<String, ImageEntry> targets = StageEditor.expand(session, stageTree, paths, problems);
            LabelRowResolver.Judgement judgement = resolver.judgement(null, "--defect/--confidence/--labeler/--labeled-at/--guideline", problems);
            Map<String, ImageEntry> changes = new TreeMap<>();
            if (judgement == null) {
                return changes;
            }
            OffsetDateTime now = Times.now();
            ObjectId headTree = session.treeOf(session.repository().headCommit());
            targets.forEach((path, entry) -> {
                ImageEntry changed = relabel(path, path, entry, judgement, now, headTree, inserter, paused[0],
                        problems);
                if (changed != null) {
                    changes.put(path, changed);
                }
            });
            return changes;
        }, () -> markedForFullReview = paused[0].writeMarks());
    }

    /**
     * Returns the entry pointing at a new superseding record, or null when nothing changes or the
     * labeler was paused at the record's time and the policy rejects such labels (a problem naming
     * {@code where} is added then). {@code headTree} is the tree of HEAD, read once per command.
     */
    private ImageEntry relabel(String path, String where, ImageEntry entry, LabelRowResolver.Judgement j,
                               OffsetDateTime now, ObjectId headTree, ObjectStore.Inserter inserter,
                               PausedLabelCheck paused, List<Problem> problems) {
        LabelRecord current = session.readLabel(entry.label());
        OffsetDateTime time = j.labeledAt() != null ? j.labeledAt() : now;
        LabelRecord next = new LabelRecord(entry.blob(), j.defects(), j.labeler(), time, j.confidence(), null,
                j.guideline(), null);
        if (next.sameJudgement(current) && (j.labeledAt() == null || j.labeledAt().equals(current.labeledAt()))) {
            return null;
        }
        if (!paused.accept(j.labeler(), time, where, problems)) {
            return null;
        }
        ObjectId id = Relabels.newRecord(session, headTree, path, next, j.labeledAt() != null, inserter);
        paused.mark(id, j.labeler(), time);
        return entry.withLabel(id);
    }

    private Map<String, List<String>> pathsByBlob(ObjectId stageTree) {
        Map<String, List<String>> out = new HashMap<>();
        session.trees().walk(stageTree, (path, e) -> out.computeIfAbsent(e.blob().hex(), k -> new ArrayList<>()).add(path));
        return out;
    }
}
