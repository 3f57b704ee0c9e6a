package dev.dsv.ingest;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.error.Problem;
import dev.dsv.model.CanonicalJson;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a "CVAT for images 1.1" XML file as label rows, one per {@code <image>}: its
 * {@code name} is the dataset path, each {@code <box>} ({@code xtl ytl xbr ybr}) and
 * {@code <polygon>} ({@code points="x,y;x,y;..."}) is a region of the defect type its
 * {@code label} maps to, a {@code <tag>} is a defect without a region, and an image without
 * shapes has no defect. CVAT coordinates are pixel coordinates with the origin at the image's
 * top-left corner, as dsv's are, so they are taken as they are.
 */
public final class CvatLabels {
    private final Path file;
    private final CategoryMap categories;
    private final StagedImages staged;
    private final String fileTime;

    /** Creates a reader; {@code fileTime}, when not null, is the labeled-at time of every image. */
    public CvatLabels(Path file, CategoryMap categories, StagedImages staged, String fileTime) {
        this.file = file;
        this.categories = categories;
        this.staged = staged;
        this.fileTime = fileTime;
    }

    /** Reads every image; problems name the file and line. */
    public List<LabelRow> read(List<Problem> problems) {
        XmlTree root = XmlTree.parse(file);
        if (!root.name.equals("annotations")) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.cvat.notAnnotations", file, root.name);
        }
        List<LabelRow> rows = new ArrayList<>();
        for (XmlTree element : root.children) {
            if (element.name.equals("track")) {
                problems.add(new Problem("error.cvat.track", file + ":" + element.line));
            } else if (element.name.equals("image")) {
                LabelRow row = readImage(element, problems);
                if (row != null) {
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    private LabelRow readImage(XmlTree image, List<Problem> problems) {
        String where = file + ":" + image.line;
        String name = image.attributes.get("name");
        if (name == null || name.isBlank()) {
            problems.add(new Problem("error.xml.missing", where, "<image name>"));
            return null;
        }
        String path = CanonicalJson.nfc(name);
        if (!staged.contains(path)) {
            problems.add(new Problem("error.xml.imageAbsent", where, path));
            return null;
        }
        ImageSize size = staged.size(path);
        int before = problems.size();
        BigDecimal width = XmlTree.number(image.attributes.get("width"), "<image width>", where, problems);
        BigDecimal height = XmlTree.number(image.attributes.get("height"), "<image height>", where, problems);
        if (width != null && height != null && (width.compareTo(BigDecimal.valueOf(size.width())) != 0
                || height.compareTo(BigDecimal.valueOf(size.height())) != 0)) {
            problems.add(new Problem("error.xml.sizeMismatch", where, width, height, path, size.width(), size.height()));
        }
        RegionRows regions = new RegionRows();
        for (XmlTree shape : image.children) {
            readShape(shape, path, size, regions, problems);
        }
        return problems.size() > before ? null : regions.toRow(where + " (" + path + ")", path, fileTime);
    }

    /** Adds one shape element of an image to {@code regions}, or adds a problem. */
    private void readShape(XmlTree shape, String path, ImageSize size, RegionRows regions, List<Problem> problems) {
        String where = file + ":" + shape.line + " (" + path + ")";
        boolean known = switch (shape.name) {
            case "box", "polygon", "tag" -> true;
            default -> false;
        };
        if (!known) {
            problems.add(new Problem("error.cvat.unsupportedShape", where, shape.name));
            return;
        }
        String label = shape.attributes.get("label");
        if (label == null) {
            problems.add(new Problem("error.xml.missing", where, "<" + shape.name + " label>"));
            return;
        }
        String defect = categories.defectOf(label, where, problems);
        if (defect == null) {
            return;
        }
        switch (shape.name) {
            case "box" -> readBox(shape, defect, where, path, size, regions, problems);
            case "polygon" -> readPolygon(shape, defect, where, path, size, regions, problems);
            default -> regions.addDefect(defect);
        }
    }

    private static void readBox(XmlTree box, String defect, String where, String path, ImageSize size,
                                RegionRows regions, List<Problem> problems) {
        int before = problems.size();
        BigDecimal xtl = XmlTree.number(box.attributes.get("xtl"), "xtl", where, problems);
        BigDecimal ytl = XmlTree.number(box.attributes.get("ytl"), "ytl", where, problems);
        BigDecimal xbr = XmlTree.number(box.attributes.get("xbr"), "xbr", where, problems);
        BigDecimal ybr = XmlTree.number(box.attributes.get("ybr"), "ybr", where, problems);
        if (problems.size() > before) {
            return;
        }
        String boxText = "box xtl=" + xtl + " ytl=" + ytl + " xbr=" + xbr + " ybr=" + ybr;
        if (xbr.compareTo(xtl) <= 0 || ybr.compareTo(ytl) <= 0) {
            problems.add(new Problem("error.xml.emptyBox", where, boxText));
            return;
        }
        if (!XmlTree.inside(xtl, size.width()) || !XmlTree.inside(xbr, size.width())
                || !XmlTree.inside(ytl, size.height()) || !XmlTree.inside(ybr, size.height())) {
            problems.add(new Problem("error.xml.outOfBounds", where, boxText, path, size.width(), size.height()));
            return;
        }
        regions.addBox(defect, xtl, ytl, xbr.subtract(xtl), ybr.subtract(ytl));
    }

    private static void readPolygon(XmlTree polygon, String defect, String where, String path, ImageSize size,
                                    RegionRows regions, List<Problem> problems) {
        String points = polygon.attributes.get("points");
        if (points == null) {
            problems.add(new Problem("error.xml.missing", where, "<polygon points>"));
            return;
        }
        List<BigDecimal> flat = new ArrayList<>();
        for (String point : points.strip().split(";")) {
            String[] xy = point.split(",");
            if (xy.length != 2) {
                problems.add(new Problem("error.xml.notNumber", where, "points", points));
                return;
            }
            BigDecimal x = XmlTree.number(xy[0], "points", where, problems);
            BigDecimal y = XmlTree.number(xy[1], "points", where, problems);
            if (x == null || y == null) {
                return;
            }
            if (!XmlTree.inside(x, size.width()) || !XmlTree.inside(y, size.height())) {
                problems.add(new Problem("error.xml.outOfBounds", where, "point " + point.strip(), path, size.width(),
                        size.height()));
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
