package dev.dsv.ingest;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.error.Problem;
import dev.dsv.model.CanonicalJson;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads Pascal VOC XML files (one {@code <annotation>} per image) as label rows. Each
 * {@code <object>} is a region of the defect type its {@code <name>} maps to: a polygon when it
 * has {@code <polygon>} ({@code <x1><y1><x2><y2>...} or {@code <pt><x><y></pt>...}), else the box
 * of {@code <bndbox>}. An annotation without objects means no defect.
 *
 * <p>By default coordinates follow the VOC devkit: 1-based pixel indices, and {@code xmax},
 * {@code ymax} name the last pixel inside the box. So the box becomes {@code [xmin - 1,
 * ymin - 1, xmax - xmin + 1, ymax - ymin + 1]} in dsv's 0-based pixel coordinates, and polygon
 * points are shifted by one pixel the same way. With {@link Coordinates#CONTINUOUS} they are
 * pixel-edge coordinates from 0, as labelme's labelme2voc.py writes them, and are taken unchanged.
 *
 * <p>The image is {@code FOLDER/FILENAME}, where FOLDER is the XML file's folder relative to the
 * input folder (empty for a single file) and FILENAME is {@code <filename>}; when no image is
 * staged there, {@code <filename>} alone is tried as the dataset path, and then the one staged
 * image with that file name (the devkit's Annotations/ and JPEGImages/ layout).
 */
public final class VocLabels {
    /** The coordinate convention of the files. */
    public enum Coordinates {
        /** 1-based pixel indices, {@code xmax} the last pixel inside: the VOC devkit's convention. */
        DEVKIT,
        /** Pixel-edge coordinates from 0 at the top-left corner, dsv's own convention. */
        CONTINUOUS
    }

    private final Path input;
    private final CategoryMap categories;
    private final StagedImages staged;
    private final boolean fileTime;
    /** What is subtracted from each coordinate: 1 for the devkit convention, else 0. */
    private final BigDecimal offset;

    /** Creates a reader. With {@code fileTime} each XML file's modification time is its labeled-at time. */
    public VocLabels(Path input, CategoryMap categories, StagedImages staged, boolean fileTime,
                     Coordinates coordinates) {
        this.input = input;
        this.categories = categories;
        this.staged = staged;
        this.fileTime = fileTime;
        this.offset = coordinates == Coordinates.DEVKIT ? BigDecimal.ONE : BigDecimal.ZERO;
    }

    /** Reads every XML file; problems name the file and line. */
    public List<LabelRow> read(List<Problem> problems) {
        List<LabelRow> rows = new ArrayList<>();
        for (Path file : files()) {
            LabelRow row = readFile(file, problems);
            if (row != null) {
                rows.add(row);
            }
        }
        return rows;
    }

    /** Returns the input file, or the {@code .xml} files below the input folder in path order. */
    private List<Path> files() {
        if (Files.isRegularFile(input)) {
            return List.of(input);
        }
        if (!Files.isDirectory(input)) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.labels.notFound", input);
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(input)) {
            files = walk.filter(f -> Files.isRegularFile(f) && f.getFileName().toString().endsWith(".xml"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.labels.unreadable", input, String.valueOf(e.getMessage()));
        }
        if (files.isEmpty()) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.voc.noFiles", input);
        }
        return files;
    }

    private LabelRow readFile(Path file, List<Problem> problems) {
        XmlTree root = XmlTree.parse(file);
        String where = file + ":" + root.line;
        if (!root.name.equals("annotation")) {
            problems.add(new Problem("error.voc.notAnnotation", where, root.name));
            return null;
        }

        String path = imagePath(file, root, where, problems);
        if (path == null) {
            return null;
        }

        ImageSize size = staged.size(path);
        int before = problems.size();
        XmlTree declared = root.child("size");
        if (declared != null) {
            String sizeWhere = file + ":" + declared.line;
            BigDecimal width = XmlTree.number(declared.childText("width"), "<width>", sizeWhere, problems);
            BigDecimal height = XmlTree.number(declared.childText("height"), "<height>", sizeWhere, problems);
            if (width != null && height != null && (width.compareTo(BigDecimal.valueOf(size.width())) != 0
                    || height.compareTo(BigDecimal.valueOf(size.height())) != 0)) {
                problems.add(new Problem("error.xml.sizeMismatch", sizeWhere, width, height, path, size.width(),
                        size.height()));
            }
        }

        RegionRows regions = new RegionRows();
        for (XmlTree object : root.children("object")) {
            readObject(file + ":" + object.line + " (" + path + ")", object, path, size, regions, problems);
        }
        if (problems.size() > before) {
            return null;
        }
        return regions.toRow(file + " (" + path + ")", path, fileTime ? YoloLabels.modificationTime(file) : null);
    }

    /** Returns the dataset path of the staged image the annotation names, or null after a problem. */
    private String imagePath(Path file, XmlTree root, String where, List<Problem> problems) {
        String filename = root.childText("filename");
        if (filename == null || filename.isEmpty()) {
            problems.add(new Problem("error.xml.missing", where, "<filename>"));
            return null;
        }
        filename = CanonicalJson.nfc(filename.replace('\\', '/'));
        String folder = "";
        if (!file.equals(input) && file.getParent() != null && !file.getParent().equals(input)) {
            folder = CanonicalJson.nfc(input.relativize(file.getParent()).toString().replace('\\', '/')) + "/";
        }
        String path = folder + filename;
        if (staged.contains(path)) {
            return path;
        }
        if (!folder.isEmpty() && staged.contains(filename)) {
            return filename;
        }
        // The devkit keeps XML files in Annotations/ and images in JPEGImages/, so the folder of
        // the XML file need not be the image's: a file name that one staged image has names it.
        List<String> matches = staged.pathsWithFileName(filename.substring(filename.lastIndexOf('/') + 1));
        if (matches.size() == 1) {
            return matches.get(0);
        }
        if (matches.size() > 1) {
            problems.add(new Problem("error.labels.toolImageAmbiguous", where, filename, String.join(", ", matches)));
            return null;
        }
        problems.add(new Problem("error.xml.imageAbsent", where, path));
        return null;
    }

    private void readObject(String where, XmlTree object, String path, ImageSize size, RegionRows regions,
                            List<Problem> problems) {
        String name = object.childText("name");
        if (name == null || name.isEmpty()) {
            problems.add(new Problem("error.xml.missing", where, "<name>"));
            return;
        }
        String defect = categories.defectOf(name, where, problems);
        if (defect == null) {
            return;
        }
        XmlTree polygon = object.child("polygon");
        if (polygon != null) {
            readPolygon(polygon, defect, where, path, size, regions, problems);
            return;
        }
        XmlTree box = object.child("bndbox");
        if (box == null) {
            problems.add(new Problem("error.xml.missing", where, "<bndbox> or <polygon>"));
            return;
        }
        int before = problems.size();
        BigDecimal xmin = XmlTree.number(box.childText("xmin"), "<xmin>", where, problems);
        BigDecimal ymin = XmlTree.number(box.childText("ymin"), "<ymin>", where, problems);
        BigDecimal xmax = XmlTree.number(box.childText("xmax"), "<xmax>", where, problems);
        BigDecimal ymax = XmlTree.number(box.childText("ymax"), "<ymax>", where, problems);
        if (problems.size() > before) {
            return;
        }
        String boxText = "bndbox xmin=" + xmin + " ymin=" + ymin + " xmax=" + xmax + " ymax=" + ymax;
        BigDecimal x = xmin.subtract(offset);
        BigDecimal y = ymin.subtract(offset);
        if (xmax.compareTo(x) <= 0 || ymax.compareTo(y) <= 0) {
            problems.add(new Problem("error.xml.emptyBox", where, boxText));
            return;
        }
        if (!XmlTree.inside(x, size.width()) || !XmlTree.inside(xmax, size.width())
                || !XmlTree.inside(y, size.height()) || !XmlTree.inside(ymax, size.height())) {
            problems.add(new Problem("error.xml.outOfBounds", where, boxText + convention(), path, size.width(),
                    size.height()));
            return;
        }
        regions.addBox(defect, x, y, xmax.subtract(x), ymax.subtract(y));
    }

    private String convention() {
        return offset.signum() > 0 ? " (1-based)" : "";
    }

    /** Reads {@code <x1><y1><x2><y2>...} or {@code <pt><x><y></pt>...} points, shifted to 0-based. */
    private void readPolygon(XmlTree polygon, String defect, String where, String path, ImageSize size,
                                    RegionRows regions, List<Problem> problems) {
        List<String[]> points = new ArrayList<>();
        List<XmlTree> pts = polygon.children("pt");
        if (!pts.isEmpty()) {
            for (XmlTree pt : pts) {
                points.add(new String[] {pt.childText("x"), pt.childText("y"), "<x>", "<y>"});
            }
        } else {
            for (int i = 1; polygon.child("x" + i) != null || polygon.child("y" + i) != null; i++) {
                points.add(new String[] {polygon.childText("x" + i), polygon.childText("y" + i), "<x" + i + ">",
                        "<y" + i + ">"});
            }
        }
        List<BigDecimal> flat = new ArrayList<>();
        for (String[] point : points) {
            BigDecimal x = XmlTree.number(point[0], point[2], where, problems);
            BigDecimal y = XmlTree.number(point[1], point[3], where, problems);
            if (x == null || y == null) {
                return;
            }
            x = x.subtract(offset);
            y = y.subtract(offset);
            if (!XmlTree.inside(x, size.width()) || !XmlTree.inside(y, size.height())) {
                problems.add(new Problem("error.xml.outOfBounds", where, "polygon point " + point[0] + "," + point[1]
                        + convention(), path, size.width(), size.height()));
                return;
            }
            flat.add(x);
            flat.add(y);
        }
        if (flat.size() < 6) {
            problems.add(new Problem("error.xml.fewPoints", where, flat.size() / 2));
            return;
        }
        regions.addPolygon(defect, flat);
    }
}
