package dev.dsv.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dsv.model.CanonicalJson;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The regions of one image, grouped by defect type in the order the file names them, as the
 * XML importers collect them before turning them into a label row.
 */
final class RegionRows {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, ArrayNode> byDefect = new LinkedHashMap<>();

    /** Records a defect of the image without a region (a CVAT tag). */
    void addDefect(String defect) {
        byDefect.computeIfAbsent(defect, k -> JSON.createArrayNode());
    }

    /** Adds a box {@code [x, y, width, height]} in pixels. */
    void addBox(String defect, BigDecimal x, BigDecimal y, BigDecimal width, BigDecimal height) {
        ObjectNode region = JSON.createObjectNode();
        region.putArray("box").add(x).add(y).add(width).add(height);
        add(defect, region);
    }

    /** Adds a polygon given as a flat list {@code x1, y1, x2, y2, ...} in pixels. */
    void addPolygon(String defect, List<BigDecimal> flat) {
        ObjectNode region = JSON.createObjectNode();
        ArrayNode points = region.putArray("polygon");
        for (int k = 0; k < flat.size(); k += 2) {
            points.addArray().add(flat.get(k)).add(flat.get(k + 1));
        }
        add(defect, region);
    }

    private void add(String defect, ObjectNode region) {
        region.put("defect", defect);
        byDefect.computeIfAbsent(defect, k -> JSON.createArrayNode()).add(region);
    }

    /** Returns the label row of the image at {@code datasetPath}; no defects means no defect. */
    LabelRow toRow(String where, String datasetPath, String labeledAt) {
        ArrayNode all = JSON.createArrayNode();
        byDefect.values().forEach(all::addAll);
        return new LabelRow(where, null, datasetPath, null, null, new ArrayList<>(byDefect.keySet()),
                all.isEmpty() ? null : all.toString(), null, null, null, labeledAt, null, null,
                CanonicalJson.newObject(), null);
    }
}
