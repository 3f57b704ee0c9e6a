package dev.dsv.exports;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.error.Problem;
import dev.dsv.index.ImageRow;
import dev.dsv.ingest.ImageSize;
import dev.dsv.model.Defect;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The folder structure of an export: the image location and the annotation files added. Images
 * go to their dataset paths ({@code dir}, and {@code coco}, {@code voc}, {@code cvat} and
 * {@code labelstudio} with their annotation files), one folder per split and class
 * ({@code classes}), the Ultralytics YOLO tree ({@code yolo}) or a Supervisely project
 * ({@code supervisely}). See docs/design.md, "Training exports and annotation imports".
 */
public enum ExportShape {
    /** Images at their dataset paths. */
    DIR,
    /** {@code SPLIT/CLASS/DATASET_PATH}, the folder-per-class tree of image classification loaders. */
    CLASSES,
    /** Images at their dataset paths and a COCO instances file, {@code annotations.json}. */
    COCO,
    /** {@code images/SPLIT/DATASET_PATH}, {@code labels/SPLIT/DATASET_PATH.txt}, data.yaml and classes.txt. */
    YOLO,
    /** Images at their dataset paths, each with a Pascal VOC XML file beside it. */
    VOC,
    /** Images at their dataset paths and one CVAT for images 1.1 file, {@code annotations.xml}. */
    CVAT,
    /** Images at their dataset paths and one Label Studio JSON export, {@code tasks.json}. */
    LABELSTUDIO,
    /** A Supervisely project: {@code meta.json}, {@code DATASET/img/NAME} and {@code DATASET/ann/NAME.json}. */
    SUPERVISELY;

    /** Returns the name written to {@code dsv-export.json} as {@code format}. */
    public String formatName() {
        return this == CLASSES ? "dir" : name().toLowerCase(Locale.ROOT);
    }

    /** Returns the name written to {@code dsv-export.json} as {@code layout}. */
    public String layoutName() {
        return switch (this) {
            case DIR, COCO, VOC, CVAT, LABELSTUDIO -> "paths";
            case CLASSES -> "classes";
            case YOLO -> "yolo";
            case SUPERVISELY -> "supervisely";
        };
    }

    /** Returns the shape that {@code dsv-export.json} names; an export older than the keys is {@code dir}. */
    static ExportShape fromMetadata(String format, String layout) {
        if ("classes".equals(layout)) {
            return CLASSES;
        }
        if (format == null || format.equals("dir")) {
            return DIR;
        }
        return valueOf(format.toUpperCase(Locale.ROOT));
    }

    /**
     * Returns the paths of the rows whose defect types without regions this shape's annotation
     * files leave out: COCO, YOLO, VOC, Label Studio and Supervisely files carry only regions.
     * The other shapes keep every defect type (CVAT as a {@code <tag>}, the rest in the manifest).
     */
    List<String> regionlessDropped(List<ImageRow> rows) {
        if (this != COCO && this != YOLO && this != VOC && this != LABELSTUDIO && this != SUPERVISELY) {
            return List.of();
        }
        List<String> paths = new ArrayList<>();
        for (ImageRow row : rows) {
            if (TrainingFiles.defects(row).stream().anyMatch(d -> d.regions().isEmpty())) {
                paths.add(row.path());
            }
        }
        return paths;
    }

    /** Returns the path of a row's image relative to the export root. */
    String location(ImageRow row) {
        return switch (this) {
            case DIR, VOC -> row.path();
            case COCO, CVAT, LABELSTUDIO -> {
                if (row.path().equals(sharedFile())) {
                    throw new DsvException(ExitCode.INVALID_INPUT, "error.export.reservedName", row.path());
                }
                yield row.path();
            }
            case CLASSES -> row.split() + "/" + classOf(row) + "/" + row.path();
            case YOLO -> "images/" + row.split() + "/" + row.path();
            case SUPERVISELY -> SuperviselyFiles.imageOf(row);
        };
    }

    /** Returns the one annotation file of the COCO, CVAT and Label Studio shapes, else null. */
    private String sharedFile() {
        return switch (this) {
            case COCO -> TrainingFiles.COCO_FILE;
            case CVAT -> CvatFiles.FILE;
            case LABELSTUDIO -> LabelStudioFiles.FILE;
            default -> null;
        };
    }

    /** Returns the annotation file a shape writes for each image (VOC, Supervisely), or null. */
    private String fileOf(ImageRow row) {
        return switch (this) {
            case VOC -> VocFiles.fileOf(row);
            case SUPERVISELY -> SuperviselyFiles.annotationOf(row);
            default -> null;
        };
    }

    /** Returns the folder name of a row's class: its one defect type, or {@code none}. */
    private static String classOf(ImageRow row) {
        List<Defect> defects = TrainingFiles.defects(row);
        return defects.isEmpty() ? Defect.NONE : defects.get(0).type();
    }

    /** Returns the label file of a YOLO row: its image path with {@code labels/} and {@code .txt}. */
    static String yoloLabelFile(ImageRow row) {
        String path = row.path();
        int slash = path.lastIndexOf('/');
        int dot = path.lastIndexOf('.');
        String stem = dot > slash + 1 ? path.substring(0, dot) : path;
        return "labels/" + row.split() + "/" + stem + ".txt";
    }

    /**
     * Rejects a selection this shape cannot hold: an image without a split (classes, yolo), an
     * image with several defect types (classes), or two images whose YOLO label files would
     * coincide. For voc and supervisely, two images may not share an image or annotation file.
     * Lists every offending image, and nothing is written then.
     */
    void check(List<ImageRow> rows) {
        List<Problem> problems = new ArrayList<>();
        if (this == CLASSES || this == YOLO) {
            checkSplits(rows, problems);
        } else if (this == VOC || this == SUPERVISELY) {
            checkFiles(rows, problems);
        }
        if (!problems.isEmpty()) {
            List<Problem> listed = problems.subList(0, Math.min(problems.size(), 50));
            throw new DsvException(ExitCode.INVALID_INPUT, "error.export.shapeRejected", problems.size(), layoutName())
                    .withProblems(listed);
        }
    }

    private void checkSplits(List<ImageRow> rows, List<Problem> problems) {
        Map<String, String> labelFiles = new HashMap<>();
        for (ImageRow row : rows) {
            if (row.split() == null) {
                problems.add(new Problem("error.export.noSplit", row.path(), layoutName()));
                continue;
            }
            if (this == CLASSES) {
                List<Defect> defects = TrainingFiles.defects(row);
                if (defects.size() > 1) {
                    problems.add(new Problem("error.export.severalDefects", row.path(),
                            String.join(";", defects.stream().map(Defect::type).toList())));
                }
            } else {
                String file = yoloLabelFile(row);
                String earlier = labelFiles.putIfAbsent(file, row.path());
                if (earlier != null) {
                    problems.add(new Problem("error.export.labelFileClash", row.path(), earlier, file));
                }
            }
        }
    }

    /** Adds a problem for each image whose image or annotation file another image already takes. */
    private void checkFiles(List<ImageRow> rows, List<Problem> problems) {
        Map<String, String> owners = new HashMap<>();
        for (ImageRow row : rows) {
            owners.put(location(row), row.path());
        }
        Map<String, String> annotations = new HashMap<>();
        for (ImageRow row : rows) {
            String location = location(row);
            String file = fileOf(row);
            String imageOwner = owners.get(location);
            String fileOwner = owners.containsKey(file) ? owners.get(file) : annotations.putIfAbsent(file, row.path());
            if (!imageOwner.equals(row.path())) {
                problems.add(new Problem("error.export.fileClash", row.path(), imageOwner, location));
            } else if (fileOwner != null) {
                problems.add(new Problem("error.export.fileClash", row.path(), fileOwner, file));
            }
        }
    }

    /** Returns true when the shape writes annotation files that need the image sizes. */
    boolean needsSizes() {
        return this != DIR && this != CLASSES;
    }

    /** Returns the relative paths of the annotation files {@link #annotationFiles} writes for these rows. */
    List<String> annotationFileNames(List<ImageRow> rows) {
        List<String> names = new ArrayList<>();
        switch (this) {
            case COCO, CVAT, LABELSTUDIO -> names.add(sharedFile());
            case YOLO -> {
                names.add(TrainingFiles.YOLO_DATA);
                names.add(TrainingFiles.YOLO_NAMES);
                rows.forEach(row -> names.add(yoloLabelFile(row)));
            }
            case VOC -> rows.forEach(row -> names.add(fileOf(row)));
            case SUPERVISELY -> {
                names.add(SuperviselyFiles.META);
                rows.forEach(row -> names.add(fileOf(row)));
            }
            default -> {
            }
        }
        return names;
    }

    /**
     * Renders the annotation files of this shape, relative path to bytes, in a fixed order.
     * {@code sizes} maps each row's dataset path to its image size when {@link #needsSizes()}.
     */
    Map<String, byte[]> annotationFiles(List<ImageRow> rows, Map<String, ImageSize> sizes, String commit) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        if (this == COCO) {
            files.put(TrainingFiles.COCO_FILE, TrainingFiles.coco(rows, sizes, commit));
        } else if (this == YOLO) {
            List<String> classes = TrainingFiles.classes(rows);
            files.put(TrainingFiles.YOLO_DATA, utf8(TrainingFiles.yoloData(TrainingFiles.splits(rows), classes, commit)));
            files.put(TrainingFiles.YOLO_NAMES, utf8(TrainingFiles.yoloNames(classes)));
            for (ImageRow row : rows) {
                files.put(yoloLabelFile(row), utf8(TrainingFiles.yoloLabels(row, sizes.get(row.path()), classes)));
            }
        } else if (this == VOC) {
            for (ImageRow row : rows) {
                files.put(VocFiles.fileOf(row), utf8(VocFiles.annotation(row, sizes.get(row.path()), commit)));
            }
        } else if (this == CVAT) {
            files.put(CvatFiles.FILE, utf8(CvatFiles.annotations(rows, sizes, commit)));
        } else if (this == LABELSTUDIO) {
            files.put(LabelStudioFiles.FILE, LabelStudioFiles.tasks(rows, sizes));
        } else if (this == SUPERVISELY) {
            files.put(SuperviselyFiles.META, SuperviselyFiles.meta(rows));
            int[] objectIds = {0};
            for (ImageRow row : rows) {
                files.put(SuperviselyFiles.annotationOf(row),
                        SuperviselyFiles.annotation(row, sizes.get(row.path()), objectIds));
            }
        }
        return files;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
