package dev.dsv.ingest;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.error.Problem;
import dev.dsv.model.CanonicalJson;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a COCO instances file (the {@code images}, {@code annotations} and {@code categories}
 * arrays) as label rows, one per listed image: {@code file_name} is the dataset path, each
 * annotation is a region of the defect type its category maps to, and an image without
 * annotations has no defect. A {@code segmentation} with polygons gives one polygon region per
 * polygon; otherwise {@code bbox} gives a box. Run-length (RLE) masks are decoded and traced
 * into polygons by {@link RleMask}. An image's {@code dsv} object, which dsv's own COCO export
 * writes, supplies labeler, labeled-at time and confidence.
 */
public final class CocoLabels {
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private final Path file;
    private final CategoryMap categories;
    private final StagedImages staged;
    private final String fileTime;

    /**
     * Creates a reader of {@code file}. {@code fileTime}, when not null, is the labeled-at time of
     * every image that does not carry its own.
     */
    public CocoLabels(Path file, CategoryMap categories, StagedImages staged, String fileTime) {
        this.file = file;
        this.categories = categories;
        this.staged = staged;
        this.fileTime = fileTime;
    }

    /**
     * One image entry: its id, dataset path, declared size, its name in messages
     * ({@code image id 7 (batch/cell0001.png)}) and its {@code dsv} object, if any.
     */
    private record CocoImage(long id, String path, int width, int height, String label, JsonNode dsv) {
        String where(Path file) {
            return file + ": " + label;
        }
    }

    /** Reads every image; malformed entries become problems naming the file and the id. */
    public List<LabelRow> read(List<Problem> problems) {
        JsonNode root = parse();
        Map<Long, String> categoryNames = readCategories(root, problems);
        Map<Long, CocoImage> images = readImages(root, problems);
        Map<Long, Map<String, ArrayNode>> regions = new HashMap<>();
        int index = 0;
        for (JsonNode a : array(root, "annotations", false)) {
            String where = file + ": annotation " + (a.has("id") ? "id " + a.get("id").asText() : "#" + (index + 1));
            index++;
            Long imageId = integer(a, "image_id");
            Long categoryId = integer(a, "category_id");
            if (imageId == null || categoryId == null) {
                problems.add(new Problem("error.coco.annotationFields", where));
                continue;
            }
            CocoImage image = images.get(imageId);
            if (image == null) {
                problems.add(new Problem("error.coco.imageAbsent", where, imageId));
                continue;
            }
            String category = categoryNames.get(categoryId);
            if (category == null) {
                problems.add(new Problem("error.coco.unknownCategoryId", where, categoryId));
                continue;
            }
            String defect = categories.defectOf(category, where, problems);
            if (defect == null) {
                continue;
            }
            List<ObjectNode> shapes = shapes(a, image, where, problems);
            ArrayNode list = regions.computeIfAbsent(imageId, k -> new LinkedHashMap<>())
                    .computeIfAbsent(defect, k -> JSON.createArrayNode());
            for (ObjectNode shape : shapes) {
                shape.put("defect", defect);
                list.add(shape);
            }
        }
        List<LabelRow> rows = new ArrayList<>();
        for (CocoImage image : images.values()) {
            Map<String, ArrayNode> byDefect = regions.getOrDefault(image.id(), Map.of());
            rows.add(toRow(image, byDefect));
        }
        return rows;
    }

    private JsonNode parse() {
        JsonNode root = AnnotationJson.read(file);
        if (root == null || !root.isObject()) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.coco.notObject", file);
        }
        return root;
    }

    /** Returns the array under {@code key}; a missing one is exit 3 when required, else empty. */
    private ArrayNode array(JsonNode root, String key, boolean required) {
        JsonNode n = root.get(key);
        if (n == null && !required) {
            return JSON.createArrayNode();
        }
        if (n == null || !n.isArray()) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.coco.missingArray", file, key);
        }
        return (ArrayNode) n;
    }

    private Map<Long, String> readCategories(JsonNode root, List<Problem> problems) {
        Map<Long, String> names = new HashMap<>();
        int index = 0;
        for (JsonNode c : array(root, "categories", true)) {
            index++;
            Long id = integer(c, "id");
            if (id == null || !c.path("name").isTextual()) {
                problems.add(new Problem("error.coco.categoryFields", file + ": categories #" + index));
                continue;
            }
            if (names.putIfAbsent(id, c.get("name").asText()) != null) {
                problems.add(new Problem("error.coco.duplicateCategoryId", file + ": category id " + id));
            }
        }
        return names;
    }

    private Map<Long, CocoImage> readImages(JsonNode root, List<Problem> problems) {
        Map<Long, CocoImage> images = new LinkedHashMap<>();
        Map<String, Long> byPath = new HashMap<>();
        int index = 0;
        for (JsonNode i : array(root, "images", true)) {
            index++;
            Long id = integer(i, "id");
            Long width = integer(i, "width");
            Long height = integer(i, "height");
            if (id == null || !i.path("file_name").isTextual() || width == null || height == null
                    || width <= 0 || height <= 0) {
                problems.add(new Problem("error.coco.imageFields", file + ": images #" + index));
                continue;
            }
            String path = CanonicalJson.nfc(i.get("file_name").asText());
            String label = "image id " + id + " (" + path + ")";
            String where = file + ": " + label;
            if (images.containsKey(id)) {
                problems.add(new Problem("error.coco.duplicateImageId", where, images.get(id).path()));
                continue;
            }
            Long earlier = byPath.putIfAbsent(path, id);
            if (earlier != null) {
                problems.add(new Problem("error.coco.duplicateFileName", where, earlier));
            }
            CocoImage image = new CocoImage(id, path, width.intValue(), height.intValue(), label, i.get("dsv"));
            images.put(id, image);
            if (staged.contains(path)) {
                ImageSize actual = staged.size(path);
                if (actual.width() != image.width() || actual.height() != image.height()) {
                    problems.add(new Problem("error.coco.sizeMismatch", where, image.width(), image.height(),
                            actual.width(), actual.height()));
                }
            }
        }
        return images;
    }

    /** Returns the regions of one annotation as dsv region objects, checked against the image bounds. */
    private List<ObjectNode> shapes(JsonNode a, CocoImage image, String where, List<Problem> problems) {
        List<List<BigDecimal>> polygons = polygons(a.get("segmentation"), image, where, problems);
        if (polygons == null) {
            return List.of();
        }
        if (polygons.isEmpty()) {
            ObjectNode box = box(a.get("bbox"), image, where, problems);
            return box == null ? List.of() : List.of(box);
        }
        List<ObjectNode> out = new ArrayList<>();
        for (List<BigDecimal> flat : polygons) {
            ArrayNode points = JSON.createArrayNode();
            for (int k = 0; k < flat.size(); k += 2) {
                if (!inside(flat.get(k), image.width()) || !inside(flat.get(k + 1), image.height())) {
                    problems.add(new Problem("error.coco.outOfBounds", where, "[" + flat.get(k) + ", "
                            + flat.get(k + 1) + "]", image.label(), image.width(), image.height()));
                    return List.of();
                }
                points.addArray().add(flat.get(k)).add(flat.get(k + 1));
            }
            ObjectNode region = JSON.createObjectNode();
            region.set("polygon", points);
            out.add(region);
        }
        return out;
    }

    /**
     * Returns the polygons of a {@code segmentation} as flat point lists: its polygons, or the
     * outlines of an RLE mask. Returns an empty list when there is no segmentation, and null
     * after adding a problem.
     */
    private static List<List<BigDecimal>> polygons(JsonNode segmentation, CocoImage image, String where,
                                                   List<Problem> problems) {
        List<List<BigDecimal>> polygons = new ArrayList<>();
        if (segmentation != null && segmentation.isObject()) {
            try {
                polygons.addAll(RleMask.decode(segmentation, image.width(), image.height()).polygons());
            } catch (IllegalArgumentException e) {
                problems.add(new Problem("error.coco.invalidShape", where, e.getMessage()));
                return null;
            }
        } else if (segmentation != null && segmentation.isArray()) {
            for (JsonNode polygon : segmentation) {
                List<BigDecimal> flat = numbers(polygon);
                if (flat == null || flat.size() % 2 != 0 || flat.size() < 6) {
                    problems.add(new Problem("error.coco.invalidShape", where,
                            "a segmentation polygon is a flat list [x1, y1, x2, y2, ...] of at least 3 points"));
                    return null;
                }
                polygons.add(flat);
            }
        }
        return polygons;
    }

    /** Returns the box region of a {@code bbox}, or null after adding a problem. */
    private static ObjectNode box(JsonNode bbox, CocoImage image, String where, List<Problem> problems) {
        List<BigDecimal> box = numbers(bbox);
        if (box == null || box.size() != 4 || box.get(2).signum() <= 0 || box.get(3).signum() <= 0) {
            problems.add(new Problem("error.coco.invalidShape", where,
                    "no segmentation polygon, and bbox is not [x, y, width, height] with positive size"));
            return null;
        }
        if (box.get(0).signum() < 0 || box.get(1).signum() < 0
                || !inside(box.get(0).add(box.get(2)), image.width()) || !inside(box.get(1).add(box.get(3)), image.height())) {
            problems.add(new Problem("error.coco.outOfBounds", where, "bbox " + box, image.label(), image.width(),
                    image.height()));
            return null;
        }
        ObjectNode region = JSON.createObjectNode();
        ArrayNode values = region.putArray("box");
        box.forEach(values::add);
        return region;
    }

    private LabelRow toRow(CocoImage image, Map<String, ArrayNode> byDefect) {
        List<String> defects = new ArrayList<>(byDefect.keySet());
        ArrayNode all = JSON.createArrayNode();
        byDefect.values().forEach(all::addAll);
        JsonNode dsv = image.dsv() != null && image.dsv().isObject() ? image.dsv() : JSON.createObjectNode();
        String labeler = dsv.hasNonNull("labeler") ? dsv.get("labeler").asText() : null;
        String labeledAt = dsv.hasNonNull("labeled_at") ? dsv.get("labeled_at").asText() : fileTime;
        String confidence = dsv.hasNonNull("confidence") ? dsv.get("confidence").asText() : null;
        return new LabelRow(image.where(file), null, image.path(), null, null, defects,
                all.isEmpty() ? null : all.toString(), null, confidence, labeler, labeledAt, null, null,
                CanonicalJson.newObject(), null);
    }

    private static boolean inside(BigDecimal value, int extent) {
        return value.signum() >= 0 && value.compareTo(BigDecimal.valueOf(extent)) <= 0;
    }

    /** Returns an integral field, or null when it is missing or not an integer. */
    private static Long integer(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v != null && v.isIntegralNumber() ? v.asLong() : null;
    }

    /** Returns the numbers of a JSON array, or null when it is not an array of numbers. */
    private static List<BigDecimal> numbers(JsonNode array) {
        if (array == null || !array.isArray()) {
            return null;
        }
        List<BigDecimal> values = new ArrayList<>();
        for (JsonNode v : array) {
            if (!CanonicalJson.isModestNumber(v)) {
                return null;
            }
            values.add(v.decimalValue());
        }
        return values;
    }
}
