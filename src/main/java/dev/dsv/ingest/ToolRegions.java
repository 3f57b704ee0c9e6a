package dev.dsv.ingest;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dsv.error.Problem;
import dev.dsv.model.CanonicalJson;
import dev.dsv.model.PersonId;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The regions of one image as an annotation-tool importer collects them, grouped by defect type,
 * and turned into a label row once the image is read. Coordinates are pixels; dsv rounds them to
 * 3 decimals when it stores the label.
 */
final class ToolRegions {
    private final Map<String, ArrayNode> byDefect = new LinkedHashMap<>();

    /** Adds the box [x, y, width, height]. */
    void addBox(String defect, BigDecimal x, BigDecimal y, BigDecimal width, BigDecimal height) {
        ObjectNode region = AnnotationJson.JSON.createObjectNode();
        region.putArray("box").add(x).add(y).add(width).add(height);
        add(defect, region);
    }

    /** Adds a polygon given as [x, y] pairs. */
    void addPolygon(String defect, List<BigDecimal[]> points) {
        ObjectNode region = AnnotationJson.JSON.createObjectNode();
        ArrayNode array = region.putArray("polygon");
        for (BigDecimal[] p : points) {
            array.addArray().add(p[0]).add(p[1]);
        }
        add(defect, region);
    }

    private void add(String defect, ObjectNode region) {
        region.put("defect", defect);
        byDefect.computeIfAbsent(defect, k -> AnnotationJson.JSON.createArrayNode()).add(region);
    }

    /** Returns the label row of the image at {@code datasetPath}; no regions means no defect. */
    LabelRow toRow(String where, String datasetPath, String labeler, String labeledAt) {
        ArrayNode all = AnnotationJson.JSON.createArrayNode();
        byDefect.values().forEach(all::addAll);
        return new LabelRow(where, null, datasetPath, null, null, new ArrayList<>(byDefect.keySet()),
                all.isEmpty() ? null : all.toString(), null, null, labeler, labeledAt, null, null,
                CanonicalJson.newObject(), null);
    }

    /**
     * Returns the staged dataset path that an image name from a tool names: the name itself when it
     * is a staged path, else the one staged path whose file name equals the name's last segment.
     * Returns null after adding a problem when none or several match.
     */
    static String matchImage(String name, StagedImages staged, String where, List<Problem> problems) {
        String path = CanonicalJson.nfc(name);
        if (staged.contains(path)) {
            return path;
        }
        String fileName = path.substring(path.lastIndexOf('/') + 1);
        List<String> matches = staged.pathsWithFileName(fileName);
        if (matches.size() == 1) {
            return matches.get(0);
        }
        if (matches.isEmpty()) {
            problems.add(new Problem("error.labels.toolImageAbsent", where, name));
        } else {
            problems.add(new Problem("error.labels.toolImageAmbiguous", where, name, String.join(", ", matches)));
        }
        return null;
    }

    /** Adds a problem unless the file's image size equals the staged one; returns whether it does. */
    static boolean sameSize(long width, long height, ImageSize staged, String where, List<Problem> problems) {
        if (width != staged.width() || height != staged.height()) {
            problems.add(new Problem("error.coco.sizeMismatch", where, width, height, staged.width(), staged.height()));
            return false;
        }
        return true;
    }

    /** Returns the labeler id, or null after adding a problem when it is not a valid person id. */
    static String labeler(String login, String where, List<Problem> problems) {
        if (login == null) {
            return null;
        }
        if (!PersonId.isValid(login)) {
            problems.add(new Problem("error.labels.toolLabeler", where, login));
            return null;
        }
        return login;
    }

    /** Returns true when {@code value} lies in [0, extent]. */
    static boolean inside(BigDecimal value, BigDecimal extent) {
        return value.signum() >= 0 && value.compareTo(extent) <= 0;
    }
}
