package dev.dsv.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.error.Problem;
import dev.dsv.model.CanonicalJson;
import java.math.BigDecimal;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads a Label Studio JSON export (a list of tasks) as label rows, one per annotated task.
 * {@code data.image} names the staged image (see {@link #imageName}); the task's annotation gives
 * {@code rectanglelabels} boxes and {@code polygonlabels} polygons, whose coordinates are percent
 * of {@code original_width} and {@code original_height}. The annotation's {@code completed_by}
 * is the labeler and its {@code updated_at} (else {@code created_at}) the labeled-at time. A task
 * without annotations is skipped, and one with an empty result means no defect.
 */
public final class LabelStudioLabels {
    /** The prefix Label Studio puts before the name of an uploaded file: 8 hex digits and '-'. */
    private static final Pattern UPLOAD_PREFIX = Pattern.compile("[0-9a-f]{8}-(.+)");
    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);
    /**
     * How far, in percent, a coordinate may lie outside [0, 100] and still be clamped to the edge.
     * Label Studio computes percentages in floating point, so a box drawn to the image's edge can
     * end at 100.0000000000003; 1e-6 percent is 1e-4 px of a 10 000 px image, below the 3
     * decimal places dsv stores.
     */
    static final BigDecimal EDGE_TOLERANCE = new BigDecimal("0.000001");

    private final Path file;
    private final CategoryMap categories;
    private final StagedImages staged;
    private final String fileTime;

    /**
     * Creates a reader of {@code file}. {@code fileTime}, when not null, is the labeled-at time of
     * every annotation that does not carry its own.
     */
    public LabelStudioLabels(Path file, CategoryMap categories, StagedImages staged, String fileTime) {
        this.file = file;
        this.categories = categories;
        this.staged = staged;
        this.fileTime = fileTime;
    }

    /** Reads every task; problems name the file and the task id. */
    public List<LabelRow> read(List<Problem> problems) {
        JsonNode root = AnnotationJson.read(file);
        if (root == null || !root.isArray()) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.labelstudio.notList", file);
        }
        List<LabelRow> rows = new ArrayList<>();
        int index = 0;
        for (JsonNode task : root) {
            index++;
            String where = file + ": task " + (task.has("id") ? "id " + task.get("id").asText() : "#" + index);
            LabelRow row = readTask(task, where, problems);
            if (row != null) {
                rows.add(row);
            }
        }
        return rows;
    }

    private LabelRow readTask(JsonNode task, String where, List<Problem> problems) {
        JsonNode image = task.path("data").path("image");
        if (!image.isTextual() || image.asText().isBlank()) {
            problems.add(new Problem("error.labelstudio.noImage", where));
            return null;
        }
        List<JsonNode> annotations = new ArrayList<>();
        for (JsonNode a : task.path("annotations")) {
            if (!a.path("was_cancelled").asBoolean(false)) {
                annotations.add(a);
            }
        }
        if (annotations.isEmpty()) {
            return null;
        }
        String path = matchImage(image.asText(), where, problems);
        if (path == null) {
            return null;
        }
        where = where + " (" + path + ")";
        if (annotations.size() > 1) {
            problems.add(new Problem("error.labelstudio.severalAnnotations", where, annotations.size()));
            return null;
        }
        JsonNode annotation = annotations.get(0);
        ImageSize size = staged.size(path);
        ToolRegions regions = new ToolRegions();
        int before = problems.size();
        int index = 0;
        for (JsonNode result : annotation.path("result")) {
            index++;
            String at = where + ", result " + (result.hasNonNull("id") ? result.get("id").asText() : "#" + index);
            readResult(result, size, at, regions, problems);
        }
        String labeler = ToolRegions.labeler(labelerOf(annotation.get("completed_by")), where, problems);
        if (problems.size() > before) {
            return null;
        }
        String time = text(annotation, "updated_at");
        if (time == null) {
            time = text(annotation, "created_at");
        }
        return regions.toRow(where, path, labeler, time != null ? time : fileTime);
    }

    /**
     * Matches {@code data.image} to a staged path: its {@link #imageName} is matched as
     * {@link ToolRegions#matchImage} does, and when no staged image has that name, the name
     * without Label Studio's upload prefix is tried.
     */
    private String matchImage(String image, String where, List<Problem> problems) {
        String name = imageName(image);
        if (staged.contains(name) || !staged.pathsWithFileName(name).isEmpty()) {
            return ToolRegions.matchImage(name, staged, where, problems);
        }
        var prefixed = UPLOAD_PREFIX.matcher(name);
        if (prefixed.matches() && !staged.pathsWithFileName(prefixed.group(1)).isEmpty()) {
            return ToolRegions.matchImage(prefixed.group(1), staged, where, problems);
        }
        return ToolRegions.matchImage(image, staged, where, problems);
    }

    /**
     * Returns the image name in {@code data.image}, percent-decoded: the {@code d} parameter of a
     * local-files URL ({@code /data/local-files/?d=batch/cell0001.png}), else the last path
     * segment without a query.
     */
    static String imageName(String image) {
        String name = image;
        int query = name.indexOf('?');
        if (query >= 0) {
            for (String parameter : name.substring(query + 1).split("&")) {
                if (parameter.startsWith("d=")) {
                    return decode(parameter.substring(2));
                }
            }
            name = name.substring(0, query);
        }
        return decode(name.substring(name.lastIndexOf('/') + 1));
    }

    private static String decode(String name) {
        try {
            return URLDecoder.decode(name.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return name;
        }
    }

    /** Reads one result item into {@code regions}, or adds a problem naming {@code where}. */
    private void readResult(JsonNode result, ImageSize size, String where, ToolRegions regions, List<Problem> problems) {
        String type = result.path("type").asText("");
        if (!type.equals("rectanglelabels") && !type.equals("polygonlabels")) {
            problems.add(new Problem("error.labelstudio.resultType", where, type));
            return;
        }
        JsonNode value = result.path("value");
        JsonNode labels = value.path(type);
        if (!labels.isArray() || labels.size() != 1 || !labels.get(0).isTextual()) {
            problems.add(new Problem("error.labelstudio.labelCount", where, type));
            return;
        }
        Long width = integer(result, "original_width");
        Long height = integer(result, "original_height");
        if (width == null || height == null) {
            problems.add(new Problem("error.labelstudio.resultFields", where, type));
            return;
        }
        if (!ToolRegions.sameSize(width, height, size, where, problems)) {
            return;
        }
        BigDecimal imageRotation = decimal(result, "image_rotation");
        if (imageRotation != null && imageRotation.signum() != 0) {
            // Coordinates then refer to the rotated image, which is not the stored one.
            problems.add(new Problem("error.labelstudio.imageRotated", where, imageRotation));
            return;
        }
        String defect = categories.defectOf(labels.get(0).asText(), where, problems);
        if (defect == null) {
            return;
        }
        BigDecimal w = BigDecimal.valueOf(width);
        BigDecimal h = BigDecimal.valueOf(height);
        if (type.equals("rectanglelabels")) {
            readBox(value, w, h, defect, where, regions, problems);
        } else {
            readPolygon(value, w, h, defect, where, regions, problems);
        }
    }

    private static void readBox(JsonNode value, BigDecimal width, BigDecimal height, String defect, String where,
                                ToolRegions regions, List<Problem> problems) {
        BigDecimal x = decimal(value, "x");
        BigDecimal y = decimal(value, "y");
        BigDecimal w = decimal(value, "width");
        BigDecimal h = decimal(value, "height");
        if (x == null || y == null || w == null || h == null || w.signum() <= 0 || h.signum() <= 0) {
            problems.add(new Problem("error.labelstudio.resultFields", where, "rectanglelabels"));
            return;
        }
        BigDecimal rotation = decimal(value, "rotation");
        if (rotation != null && rotation.signum() != 0) {
            problems.add(new Problem("error.labelstudio.rotated", where, rotation));
            return;
        }
        BigDecimal left = percent(x);
        BigDecimal top = percent(y);
        BigDecimal right = percent(x.add(w));
        BigDecimal bottom = percent(y.add(h));
        if (left == null || top == null || right == null || bottom == null) {
            problems.add(new Problem("error.labelstudio.outOfBounds", where,
                    "x " + x + ", y " + y + ", width " + w + ", height " + h));
            return;
        }
        regions.addBox(defect, pixels(left, width), pixels(top, height), pixels(right.subtract(left), width),
                pixels(bottom.subtract(top), height));
    }

    private static void readPolygon(JsonNode value, BigDecimal width, BigDecimal height, String defect, String where,
                                    ToolRegions regions, List<Problem> problems) {
        List<BigDecimal[]> points = new ArrayList<>();
        for (JsonNode p : value.path("points")) {
            if (!p.isArray() || p.size() != 2 || !CanonicalJson.isModestNumber(p.get(0))
                    || !CanonicalJson.isModestNumber(p.get(1))) {
                points = null;
                break;
            }
            BigDecimal x = percent(p.get(0).decimalValue());
            BigDecimal y = percent(p.get(1).decimalValue());
            if (x == null || y == null) {
                problems.add(new Problem("error.labelstudio.outOfBounds", where, "point [" + p.get(0).decimalValue()
                        + ", " + p.get(1).decimalValue() + "]"));
                return;
            }
            points.add(new BigDecimal[] {pixels(x, width), pixels(y, height)});
        }
        if (points == null || points.size() < 3) {
            problems.add(new Problem("error.labelstudio.resultFields", where, "polygonlabels"));
            return;
        }
        regions.addPolygon(defect, points);
    }

    /**
     * Returns a percentage clamped to [0, 100], or null when it lies further outside than
     * {@link #EDGE_TOLERANCE}.
     */
    private static BigDecimal percent(BigDecimal value) {
        if (value.compareTo(EDGE_TOLERANCE.negate()) < 0 || value.compareTo(HUNDRED.add(EDGE_TOLERANCE)) > 0) {
            return null;
        }
        return value.max(BigDecimal.ZERO).min(HUNDRED);
    }

    /** Converts a percentage of {@code extent} to pixels, exactly (dsv rounds when it stores). */
    private static BigDecimal pixels(BigDecimal percent, BigDecimal extent) {
        return percent.multiply(extent).movePointLeft(2);
    }

    /**
     * Returns the labeler of {@code completed_by}: a string as it is, the {@code email} of an
     * object (older exports), or a numeric Label Studio user id as its digits.
     */
    private static String labelerOf(JsonNode completedBy) {
        if (completedBy == null || completedBy.isNull()) {
            return null;
        }
        if (completedBy.isObject()) {
            return text(completedBy, "email");
        }
        return completedBy.isTextual() || completedBy.isIntegralNumber() ? completedBy.asText() : null;
    }

    private static String text(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v != null && v.isTextual() && !v.asText().isBlank() ? v.asText() : null;
    }

    private static Long integer(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v != null && v.isIntegralNumber() ? v.asLong() : null;
    }

    private static BigDecimal decimal(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return CanonicalJson.isModestNumber(v) ? v.decimalValue() : null;
    }
}
