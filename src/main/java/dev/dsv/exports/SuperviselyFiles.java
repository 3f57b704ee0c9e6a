package dev.dsv.exports;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dsv.index.ImageRow;
import dev.dsv.ingest.ImageSize;
import dev.dsv.model.Defect;
import dev.dsv.model.Region;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a Supervisely project, the inverse of {@code dev.dsv.ingest.SuperviselyLabels}:
 * {@code meta.json} with one class per defect type, and per image {@code DATASET/img/NAME} with
 * its annotation {@code DATASET/ann/NAME.json}. DATASET is the folder of the dataset path
 * ({@link #ROOT_DATASET} for an image at the top level) and NAME its file name. Each region is a
 * {@code rectangle} (exterior {@code [[left, top], [right, bottom]]}) or {@code polygon} object
 * in pixels at dsv's 3 decimal places, with the label's labeler as {@code labelerLogin} and its
 * labeled-at time as {@code createdAt} and {@code updatedAt}.
 */
final class SuperviselyFiles {
    static final String META = "meta.json";
    /** The dataset of images at the top level of the repository. */
    static final String ROOT_DATASET = "ds";
    /** Class colours, taken in turn by the classes in code-point order; Supervisely requires one per class. */
    private static final List<String> COLOURS = List.of("#E6194B", "#3CB44B", "#FFE119", "#4363D8", "#F58231",
            "#911EB4", "#46F0F0", "#F032E6", "#BCF60C", "#FABEBE", "#008080", "#9A6324");

    private SuperviselyFiles() {
    }

    /** Returns the image location of a row: {@code DATASET/img/NAME}. */
    static String imageOf(ImageRow row) {
        return dataset(row.path()) + "/img/" + name(row.path());
    }

    /** Returns the annotation file of a row: {@code DATASET/ann/NAME.json}. */
    static String annotationOf(ImageRow row) {
        return dataset(row.path()) + "/ann/" + name(row.path()) + ".json";
    }

    private static String dataset(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? ROOT_DATASET : path.substring(0, slash);
    }

    private static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /**
     * Renders {@code meta.json}. A class's {@code shape} is {@code rectangle} or {@code polygon}
     * when all its regions have that geometry, else {@code any}.
     */
    static byte[] meta(List<ImageRow> rows) {
        Map<String, String> shapes = new LinkedHashMap<>();
        for (String name : TrainingFiles.classes(rows)) {
            shapes.put(name, null);
        }
        for (ImageRow row : rows) {
            for (Defect d : TrainingFiles.defects(row)) {
                for (Region region : d.regions()) {
                    String shape = geometry(region);
                    shapes.merge(d.type(), shape, (a, b) -> a.equals(b) ? a : "any");
                }
            }
        }
        ObjectNode root = TrainingFiles.JSON.createObjectNode();
        ArrayNode classes = root.putArray("classes");
        int i = 0;
        for (Map.Entry<String, String> e : shapes.entrySet()) {
            ObjectNode c = classes.addObject();
            c.put("title", e.getKey());
            c.put("shape", e.getValue() == null ? "any" : e.getValue());
            c.put("color", COLOURS.get(i++ % COLOURS.size()));
            c.putObject("geometry_config");
        }
        root.putArray("tags");
        root.put("projectType", "images");
        return TrainingFiles.render(root);
    }

    /** Renders the annotation file of one image; {@code objectIds} numbers the objects across the project. */
    static byte[] annotation(ImageRow row, ImageSize size, int[] objectIds) {
        ObjectNode root = TrainingFiles.JSON.createObjectNode();
        root.put("description", "");
        root.putArray("tags");
        ObjectNode sizeNode = root.putObject("size");
        sizeNode.put("height", size.height());
        sizeNode.put("width", size.width());
        ArrayNode objects = root.putArray("objects");
        for (Defect d : TrainingFiles.defects(row)) {
            for (Region region : d.regions()) {
                ObjectNode o = objects.addObject();
                o.put("id", ++objectIds[0]);
                o.put("description", "");
                o.put("geometryType", geometry(region));
                o.put("labelerLogin", row.labeler());
                o.put("createdAt", row.labeledAt());
                o.put("updatedAt", row.labeledAt());
                o.putArray("tags");
                o.put("classTitle", d.type());
                ObjectNode points = o.putObject("points");
                ArrayNode exterior = points.putArray("exterior");
                if (region.box() != null) {
                    List<BigDecimal> b = region.box();
                    exterior.addArray().add(TrainingFiles.plain(b.get(0))).add(TrainingFiles.plain(b.get(1)));
                    exterior.addArray().add(TrainingFiles.plain(b.get(0).add(b.get(2))))
                            .add(TrainingFiles.plain(b.get(1).add(b.get(3))));
                } else {
                    for (List<BigDecimal> p : region.polygon()) {
                        exterior.addArray().add(TrainingFiles.plain(p.get(0))).add(TrainingFiles.plain(p.get(1)));
                    }
                }
                points.putArray("interior");
            }
        }
        return TrainingFiles.render(root);
    }

    private static String geometry(Region region) {
        return region.box() != null ? "rectangle" : "polygon";
    }
}
