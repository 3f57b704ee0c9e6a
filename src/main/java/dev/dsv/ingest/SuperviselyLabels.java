package dev.dsv.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.error.Problem;
import dev.dsv.model.CanonicalJson;
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
 * {@code cell0001.png}): {@code DATASET/NAME} when that is a staged path, DATASET being the
 * folder that holds {@code ann}, else matched as {@link ToolRegions#matchImage} does. Objects of geometry
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
        String path = datasetPath(file, imageName);
        if (path == null) {
            path = ToolRegions.matchImage(imageName, staged, file.toString(), problems);
        }
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
        int index = 0;
        for (JsonNode object : root.path("objects")) {
            index++;
            readObject(object, size, objectWhere(where, object, index), regions, problems);
        }
        Provenance provenance = provenance(root.path("objects"), where, problems);
        String labeler = ToolRegions.labeler(provenance.login(), where, problems);
        if (problems.size() > before) {
            return null;
        }
        String labeledAt = provenance.time();
        if (labeledAt == null && fileTime) {
            labeledAt = YoloLabels.modificationTime(file);
        }
        return regions.toRow(where, path, labeler, labeledAt);
    }

    /**
     * Returns {@code DATASET/NAME} when that is a staged path, else null. DATASET is the folder of
     * the {@code ann} folder relative to the input folder, which is the image's folder in a
     * project that {@code dsv export --format supervisely} wrote.
     */
    private String datasetPath(Path annotationFile, String imageName) {
        Path datasetDir = annotationFile.getParent().getParent();
        if (datasetDir == null || datasetDir.equals(dir) || !datasetDir.startsWith(dir)) {
            return null;
        }
        String path = CanonicalJson.nfc(dir.relativize(datasetDir).toString().replace('\\', '/') + "/" + imageName);
        return staged.contains(path) ? path : null;
    }

    private static String objectWhere(String where, JsonNode object, int index) {
        return where + ": object " + (object.hasNonNull("id") ? "id " + object.get("id").asText() : "#" + index);
    }

    /** The labeler login and the time (as written) of an image's annotation; either may be null. */
    private record Provenance(String login, String time) {
    }

    /**
     * Returns the login and time of the object changed last ({@code updatedAt}, else
     * {@code createdAt}). When no object carries a time, or the last one carries no login, the
     * first login in the file is used. An invalid time adds a problem.
     */
    private static Provenance provenance(JsonNode objects, String where, List<Problem> problems) {
        OffsetDateTime latest = null;
        String latestText = null;
        String latestLogin = null;
        String firstLogin = null;
        int index = 0;
        for (JsonNode object : objects) {
            index++;
            String login = object.hasNonNull("labelerLogin") ? object.get("labelerLogin").asText() : null;
            if (firstLogin == null) {
                firstLogin = login;
            }
            String time = object.hasNonNull("updatedAt") ? object.get("updatedAt").asText()
                    : object.hasNonNull("createdAt") ? object.get("createdAt").asText() : null;
            if (time == null) {
                continue;
            }
            OffsetDateTime parsed = Times.parseOrNull(time);
            if (parsed == null) {
                problems.add(new Problem("error.add.invalidTime", objectWhere(where, object, index), time));
            } else if (latest == null || parsed.isAfter(latest)) {
                latest = parsed;
                latestText = time;
                latestLogin = login;
            }
        }
        return new Provenance(latestLogin != null ? latestLogin : firstLogin, latestText);
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
            if (!p.isArray() || p.size() != 2 || !CanonicalJson.isModestNumber(p.get(0))
                    || !CanonicalJson.isModestNumber(p.get(1))) {
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
