package dev.dsv.exports;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dsv.index.ImageRow;
import dev.dsv.ingest.ImageSize;
import dev.dsv.model.CanonicalJson;
import dev.dsv.model.Defect;
import dev.dsv.model.LabelRecord;
import dev.dsv.model.Region;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Renders the annotation files of a COCO or YOLO export from image rows and image sizes,
 * deterministically: the same rows and sizes give the same bytes. Class ids come from the
 * defect types of the selected rows in code-point order (COCO category ids from 1, YOLO class
 * ids from 0), so they depend only on the commit and the filter.
 */
final class TrainingFiles {
    static final String COCO_FILE = "annotations.json";
    static final String YOLO_DATA = "data.yaml";
    static final String YOLO_NAMES = "classes.txt";
    /** Decimal places of YOLO's normalized coordinates: 1e-6 of the image size. */
    static final int YOLO_SCALE = 6;

    static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);

    private TrainingFiles() {
    }

    /** Returns the defect types of the rows in code-point order: the class list of the export. */
    static List<String> classes(List<ImageRow> rows) {
        TreeSet<String> names = new TreeSet<>(CanonicalJson.CODE_POINT_ORDER);
        for (ImageRow row : rows) {
            for (Defect d : defects(row)) {
                names.add(d.type());
            }
        }
        return List.copyOf(names);
    }

    static List<Defect> defects(ImageRow row) {
        try {
            return LabelRecord.defectsFromJson(JSON.readTree(row.defectsJson()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Renders a COCO instances file. Each region becomes one annotation: a box has an empty
     * {@code segmentation}, a polygon has its points and its bounding box as {@code bbox}. Each
     * image carries a {@code dsv} object with the blob id, cell type, split and the label's
     * provenance, which {@code dsv label import --format coco} reads back.
     */
    static byte[] coco(List<ImageRow> rows, Map<String, ImageSize> sizes, String commit) {
        List<String> classes = classes(rows);
        ObjectNode root = JSON.createObjectNode();
        ObjectNode info = root.putObject("info");
        info.put("description", "dsv export");
        info.put("version", commit);
        info.put("dsv_commit", commit);
        root.putArray("licenses");
        ArrayNode categories = root.putArray("categories");
        for (int i = 0; i < classes.size(); i++) {
            ObjectNode c = categories.addObject();
            c.put("id", i + 1);
            c.put("name", classes.get(i));
            c.put("supercategory", "defect");
        }
        ArrayNode images = root.putArray("images");
        ArrayNode annotations = root.putArray("annotations");
        int imageId = 0;
        int annotationId = 0;
        for (ImageRow row : rows) {
            imageId++;
            ImageSize size = sizes.get(row.path());
            ObjectNode image = images.addObject();
            image.put("id", imageId);
            image.put("file_name", row.path());
            image.put("width", size.width());
            image.put("height", size.height());
            ObjectNode dsv = image.putObject("dsv");
            dsv.put("sha256", row.blob());
            dsv.put("cell_type", row.cellType());
            dsv.put("split", row.split());
            dsv.put("labeler", row.labeler());
            dsv.put("labeled_at", row.labeledAt());
            dsv.put("confidence", row.confidence() == null ? null : new BigDecimal(row.confidence()));
            for (Defect d : defects(row)) {
                for (Region region : d.regions()) {
                    annotationId++;
                    ObjectNode a = annotations.addObject();
                    a.put("id", annotationId);
                    a.put("image_id", imageId);
                    a.put("category_id", classes.indexOf(d.type()) + 1);
                    List<BigDecimal> box = boundingBox(region);
                    ArrayNode bbox = a.putArray("bbox");
                    box.forEach(v -> bbox.add(plain(v)));
                    ArrayNode segmentation = a.putArray("segmentation");
                    if (region.polygon() != null) {
                        ArrayNode flat = segmentation.addArray();
                        region.polygon().forEach(p -> p.forEach(v -> flat.add(plain(v))));
                    }
                    a.put("area", plain(area(region)));
                    a.put("iscrowd", 0);
                }
            }
        }
        return render(root);
    }

    /** Returns a JSON document as indented UTF-8 with a final newline. */
    static byte[] render(JsonNode root) {
        try {
            return (JSON.writeValueAsString(root) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Renders one YOLO label file: a line {@code class cx cy w h} per box and
     * {@code class x1 y1 x2 y2 ...} per polygon, normalized by the image size. An image without
     * regions gets an empty file, which YOLO trainers read as background.
     */
    static String yoloLabels(ImageRow row, ImageSize size, List<String> classes) {
        StringBuilder sb = new StringBuilder();
        BigDecimal w = BigDecimal.valueOf(size.width());
        BigDecimal h = BigDecimal.valueOf(size.height());
        BigDecimal two = BigDecimal.valueOf(2);
        for (Defect d : defects(row)) {
            int id = classes.indexOf(d.type());
            for (Region region : d.regions()) {
                sb.append(id);
                if (region.box() != null) {
                    List<BigDecimal> b = region.box();
                    sb.append(' ').append(normalized(b.get(0).add(b.get(2).divide(two)), w));
                    sb.append(' ').append(normalized(b.get(1).add(b.get(3).divide(two)), h));
                    sb.append(' ').append(normalized(b.get(2), w));
                    sb.append(' ').append(normalized(b.get(3), h));
                } else {
                    for (List<BigDecimal> p : region.polygon()) {
                        sb.append(' ').append(normalized(p.get(0), w));
                        sb.append(' ').append(normalized(p.get(1), h));
                    }
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    /**
     * Renders data.yaml for Ultralytics trainers. It has no {@code path} key, so Ultralytics
     * resolves the split folders against the folder of data.yaml (check_det_dataset in
     * ultralytics/data/utils.py, which also requires {@code train} and {@code val} keys). Each
     * split is listed under its own name, {@code validation} under {@code val} unless a split is
     * named {@code val}. Without either, {@code val} points to the {@code test} split, else to
     * {@code train}, under a comment naming the stand-in, because Ultralytics rejects a file without it.
     */
    static String yoloData(List<String> splits, List<String> classes, String commit) {
        StringBuilder sb = new StringBuilder();
        sb.append("# dsv export of commit ").append(commit).append('\n');
        boolean hasVal = false;
        for (String split : splits) {
            String key = split.equals("validation") && !splits.contains("val") ? "val" : split;
            hasVal |= key.equals("val");
            sb.append(key).append(": images/").append(split).append('\n');
        }
        if (!hasVal) {
            String stand = splits.contains("test") ? "test" : splits.contains("train") ? "train" : null;
            if (stand != null) {
                sb.append("# no val or validation split selected: Ultralytics validates on the ").append(stand)
                        .append(" split\n");
                sb.append("val: images/").append(stand).append('\n');
            }
        }
        sb.append("nc: ").append(classes.size()).append('\n');
        sb.append("names:\n");
        for (int i = 0; i < classes.size(); i++) {
            sb.append("  ").append(i).append(": ").append(quoted(classes.get(i))).append('\n');
        }
        return sb.toString();
    }

    /** Renders the class-names file: one name per line, line N names class N-1. */
    static String yoloNames(List<String> classes) {
        StringBuilder sb = new StringBuilder();
        classes.forEach(c -> sb.append(c).append('\n'));
        return sb.toString();
    }

    /** Returns a YAML double-quoted scalar, written as a JSON string because its escapes are valid YAML. */
    private static String quoted(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String normalized(BigDecimal value, BigDecimal extent) {
        return value.divide(extent, YOLO_SCALE, RoundingMode.HALF_EVEN).toPlainString();
    }

    /** Returns a value without trailing zeros and in plain notation ({@code 300}, not {@code 3E+2}). */
    static BigDecimal plain(BigDecimal v) {
        BigDecimal stripped = v.stripTrailingZeros();
        return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
    }

    /** Returns {@code [x, y, width, height]} of a box, or the bounding box of a polygon. */
    static List<BigDecimal> boundingBox(Region region) {
        if (region.box() != null) {
            return region.box();
        }
        BigDecimal minX = null;
        BigDecimal minY = null;
        BigDecimal maxX = null;
        BigDecimal maxY = null;
        for (List<BigDecimal> p : region.polygon()) {
            minX = minX == null ? p.get(0) : minX.min(p.get(0));
            maxX = maxX == null ? p.get(0) : maxX.max(p.get(0));
            minY = minY == null ? p.get(1) : minY.min(p.get(1));
            maxY = maxY == null ? p.get(1) : maxY.max(p.get(1));
        }
        return List.of(minX, minY, maxX.subtract(minX), maxY.subtract(minY));
    }

    /** Returns the area in square pixels: width x height, or the shoelace area of a polygon. */
    static BigDecimal area(Region region) {
        if (region.box() != null) {
            return region.box().get(2).multiply(region.box().get(3)).setScale(Region.SCALE, RoundingMode.HALF_EVEN);
        }
        List<List<BigDecimal>> p = region.polygon();
        BigDecimal twice = BigDecimal.ZERO;
        for (int i = 0; i < p.size(); i++) {
            List<BigDecimal> a = p.get(i);
            List<BigDecimal> b = p.get((i + 1) % p.size());
            twice = twice.add(a.get(0).multiply(b.get(1))).subtract(b.get(0).multiply(a.get(1)));
        }
        return twice.abs().divide(BigDecimal.valueOf(2)).setScale(Region.SCALE, RoundingMode.HALF_EVEN);
    }

    /** Returns the split names of the rows in code-point order: the split folders of a YOLO export. */
    static List<String> splits(List<ImageRow> rows) {
        TreeSet<String> splits = new TreeSet<>(CanonicalJson.CODE_POINT_ORDER);
        rows.forEach(r -> splits.add(r.split()));
        return List.copyOf(splits);
    }
}
