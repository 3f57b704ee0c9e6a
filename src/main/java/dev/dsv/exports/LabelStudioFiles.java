package dev.dsv.exports;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dsv.index.ImageRow;
import dev.dsv.ingest.ImageSize;
import dev.dsv.model.Defect;
import dev.dsv.model.Region;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Renders a Label Studio JSON export (a list of tasks), the inverse of
 * {@code dev.dsv.ingest.LabelStudioLabels}. Each row is one task whose {@code data.image} is a
 * local-files URL with the dataset path ({@code /data/local-files/?d=batch/cell0001.png}) and
 * whose one annotation contains a {@code rectanglelabels} or {@code polygonlabels} result per
 * region, in percent of the image size. The annotation's {@code completed_by} is the labeler id
 * (Label Studio itself writes a numeric user id there) and {@code created_at} and
 * {@code updated_at} are the labeled-at time.
 */
final class LabelStudioFiles {
    static final String FILE = "tasks.json";
    /**
     * Decimal places of the percentages. 10 places keep a pixel value to 5e-9 px of images up to
     * 10 000 px wide, far below the 3 places dsv stores, so an import gives back the same record.
     */
    static final int PERCENT_SCALE = 10;
    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

    private LabelStudioFiles() {
    }

    static byte[] tasks(List<ImageRow> rows, Map<String, ImageSize> sizes) {
        ArrayNode tasks = TrainingFiles.JSON.createArrayNode();
        int id = 0;
        for (ImageRow row : rows) {
            id++;
            ImageSize size = sizes.get(row.path());
            ObjectNode task = tasks.addObject();
            task.put("id", id);
            task.putObject("data").put("image", "/data/local-files/?d=" + urlPath(row.path()));
            ObjectNode annotation = task.putArray("annotations").addObject();
            annotation.put("id", id);
            annotation.put("completed_by", row.labeler());
            annotation.put("created_at", row.labeledAt());
            annotation.put("updated_at", row.labeledAt());
            annotation.put("was_cancelled", false);
            annotation.put("ground_truth", false);
            ArrayNode results = annotation.putArray("result");
            int index = 0;
            for (Defect d : TrainingFiles.defects(row)) {
                for (Region region : d.regions()) {
                    index++;
                    result(results.addObject(), "r" + index, d.type(), region, size);
                }
            }
        }
        return TrainingFiles.render(tasks);
    }

    private static void result(ObjectNode result, String id, String defect, Region region, ImageSize size) {
        BigDecimal w = BigDecimal.valueOf(size.width());
        BigDecimal h = BigDecimal.valueOf(size.height());
        boolean box = region.box() != null;
        String type = box ? "rectanglelabels" : "polygonlabels";
        result.put("id", id);
        result.put("type", type);
        result.put("from_name", "label");
        result.put("to_name", "image");
        result.put("original_width", size.width());
        result.put("original_height", size.height());
        result.put("image_rotation", 0);
        ObjectNode value = result.putObject("value");
        if (box) {
            List<BigDecimal> b = region.box();
            value.put("x", percent(b.get(0), w));
            value.put("y", percent(b.get(1), h));
            value.put("width", percent(b.get(2), w));
            value.put("height", percent(b.get(3), h));
            value.put("rotation", 0);
        } else {
            ArrayNode points = value.putArray("points");
            for (List<BigDecimal> p : region.polygon()) {
                points.addArray().add(percent(p.get(0), w)).add(percent(p.get(1), h));
            }
            value.put("closed", true);
        }
        value.putArray(type).add(defect);
    }

    private static BigDecimal percent(BigDecimal pixels, BigDecimal extent) {
        return TrainingFiles.plain(pixels.multiply(HUNDRED).divide(extent, PERCENT_SCALE, RoundingMode.HALF_EVEN));
    }

    /** Returns the dataset path percent-encoded for a URL query, with '/' kept as it is. */
    private static String urlPath(String path) {
        return URLEncoder.encode(path, StandardCharsets.UTF_8).replace("+", "%20").replace("%2F", "/");
    }
}
