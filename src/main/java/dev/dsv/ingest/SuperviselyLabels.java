package dev.dsv.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.error.Problem;
import dev.dsv.model.Times;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads the annotation files of a Supervisely project or dataset folder as label rows, one per
 * file. Every {@code .json} file in a folder named {@code ann} below the folder is the annotation
 * of the image named like the file without {@code .json} ({@code ann/cell0001.png.json} labels
 * {@code cell0001.png}), matched as {@link ToolRegions#matchImage} does. Objects of geometry
 * {@code rectangle} become boxes and {@code polygon} polygons, in pixels. The labeler and time of
 * the most recently changed object ({@code labelerLogin}, {@code updatedAt} else
 * {@code createdAt}) are the image's, because dsv keeps one labeler per image.
 */
public final class SuperviselyLabels {
    private final Path dir;
    private final CategoryMap categories;
    private final StagedImages staged;
    private final boolean fileTime;

    /** Creates a reader. With {@code fileTime} each file's modification time is the labeled-at time of images whose objects carry none. */
    public SuperviselyLabels(Path dir, CategoryMap categories, StagedImages staged, boolean fileTime) {
        this.dir = dir;
        this.categories = categories;
        this.staged = staged;
        this.fileTime = fileTime;
    }

    /** Reads every annotation file; problems name the file and the object id or index. */
    public List<LabelRow> read(List<Problem> problems) {
        if (!Files.isDirectory(dir)) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.supervisely.notFolder", dir);
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(f -> Files.isRegularFile(f) && f.getFileName().toString().endsWith(".json")
                    && f.getParent() != null && f.getParent().getFileName().toString().equals("ann")).sorted().toList();
        } catch (IOException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.labels.unreadable", dir, String.valueOf(e.getMessage()));
        }
        if (files.isEmpty()) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.supervisely.noAnnotations", dir);
        }
        List<LabelRow> rows = new ArrayList<>();
        for (Path f : files) {
            LabelRow row = readFile(f, problems);
            if (row != null) {
                rows.add(row);
            }
        }
        return rows;
    }

    private LabelRow readFile(Path file, List<Problem> problems) {
        JsonNode root = AnnotationJson.read(file);
        if (root == null || !root.isObject()) {
            problems.add(new Problem("error.supervisely.notObject", file));
            return null;
        }
        String fileName = file.getFileName().toString();
        String imageName = fileName.substring(0, fileName.length() - ".json".length());
        String path = ToolRegions.matchImage(imageName, staged, file.toString(), problems);
        if (path == null) {
            return null;
        }
        String where = file + " (" + path + ")";
        Long width = integer(root.path("size"), "width");
        Long height = integer(root.path("size"), "height");
        if (width == null || height == null) {
            problems.add(new Problem("error.supervisely.noSize", where));
            return null;
        }
        ImageSize size = staged.size(path);
        if (!ToolRegions.sameSize(width, height, size, where, problems)) {
            return null;
        }
        ToolRegions regions = new ToolRegions();
        int before = problems.size();
        OffsetDateTime latest = null;
        String latestText = null;
        String latestLogin = null;
        String firstLogin = null;
        int index = 0;
        for (JsonNode object : root.path("objects")) {
            index++;
            String at = where + ": object " + (object.hasNonNull("id") ? "id " + object.get("id").asText() : "#" + index);
            readObject(object, size, at, regions, problems);
            String objectLogin = object.hasNonNull("labelerLogin") ? object.get("labelerLogin").asText() : null;
            if (firstLogin == null) {
                firstLogin = objectLogin;
            }
            String time = object.hasNonNull("updatedAt") ? object.get("updatedAt").asText()
                    : object.hasNonNull("createdAt") ? object.get("createdAt").asText() : null;
            OffsetDateTime parsed = time == null ? null : Times.parseOrNull(time);
            if (time != null && parsed == null) {
                problems.add(new Problem("error.add.invalidTime", at, time));
            } else if (parsed != null && (latest == null || parsed.isAfter(latest))) {
                latest = parsed;
                latestText = time;
                latestLogin = objectLogin;
            }
        }
        String login = latestLogin != null ? latestLogin : firstLogin;
        String labeler = ToolRegions.labeler(login, where, problems);
        if (problems.size() > before) {
            return null;
        }
        String labeledAt = latestText != null ? latestText : fileTime ? YoloLabels.modificationTime(file) : null;
        return regions.toRow(where, path, labeler, labeledAt);
    }

    /** Reads one object into {@code regions}, or adds a problem naming {@code where}. */
    private void readObject(JsonNode object, ImageSize size, String where, ToolRegions regions, List<Problem> problems) {
        String geometry = object.path("geometryType").asText("");
        if (!geometry.equals("rectangle") && !geometry.equals("polygon")) {
            problems.add(new Problem("error.supervisely.geometry", where, geometry));
            return;
        }
        if (!object.path("classTitle").isTextual()) {
            problems.add(new Problem("error.supervisely.objectFields", where, geometry));
            return;
        }
        JsonNode interior = object.path("points").path("interior");
        if (interior.isArray() && !interior.isEmpty()) {
            problems.add(new Problem("error.supervisely.holes", where));
            return;
        }
        List<BigDecimal[]> points = new ArrayList<>();
        for (JsonNode p : object.path("points").path("exterior")) {
            if (!p.isArray() || p.size() != 2 || !p.get(0).isNumber() || !p.get(1).isNumber()) {
                problems.add(new Problem("error.supervisely.objectFields", where, geometry));
                return;
            }
            BigDecimal x = p.get(0).decimalValue();
            BigDecimal y = p.get(1).decimalValue();
            if (!ToolRegions.inside(x, BigDecimal.valueOf(size.width()))
                    || !ToolRegions.inside(y, BigDecimal.valueOf(size.height()))) {
                problems.add(new Problem("error.coco.outOfBounds", where, "[" + x + ", " + y + "]", "the image",
                        size.width(), size.height()));
                return;
            }
            points.add(new BigDecimal[] {x, y});
        }
        boolean rectangle = geometry.equals("rectangle");
        if (rectangle ? points.size() != 2 : points.size() < 3) {
            problems.add(new Problem("error.supervisely.objectFields", where, geometry));
            return;
        }
        String defect = categories.defectOf(object.get("classTitle").asText(), where, problems);
        if (defect == null) {
            return;
        }
        if (rectangle) {
            BigDecimal x0 = points.get(0)[0].min(points.get(1)[0]);
            BigDecimal y0 = points.get(0)[1].min(points.get(1)[1]);
            BigDecimal w = points.get(0)[0].subtract(points.get(1)[0]).abs();
            BigDecimal h = points.get(0)[1].subtract(points.get(1)[1]).abs();
            if (w.signum() <= 0 || h.signum() <= 0) {
                problems.add(new Problem("error.yolo.emptyBox", where));
                return;
            }
            regions.addBox(defect, x0, y0, w, h);
        } else {
            regions.addPolygon(defect, points);
        }
    }

    private static Long integer(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v != null && v.isIntegralNumber() ? v.asLong() : null;
    }
}
