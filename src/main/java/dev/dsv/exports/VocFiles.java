package dev.dsv.exports;

import dev.dsv.index.ImageRow;
import dev.dsv.ingest.ImageSize;
import dev.dsv.model.Defect;
import dev.dsv.model.Region;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;

/**
 * Renders the Pascal VOC XML file of one image, the inverse of {@code dev.dsv.ingest.VocLabels}.
 * Boxes follow the VOC devkit: 1-based pixel indices, {@code xmax} and {@code ymax} the last
 * pixel inside, so a box {@code [x, y, w, h]} becomes {@code xmin = round(x) + 1},
 * {@code xmax = round(x + w)}, rounded half-even to whole pixels. VOC has no polygon element, so
 * a polygon is written as its bounding box in {@code <bndbox>} and, for readers that know the
 * extension dsv and CVAT's VOC export read, as {@code <polygon><x1><y1>...} with 1-based points
 * at dsv's 3 decimal places.
 */
final class VocFiles {
    private VocFiles() {
    }

    /** Returns the XML file of a row: its image path with {@code .xml} in place of the extension. */
    static String fileOf(ImageRow row) {
        return stem(row.path()) + ".xml";
    }

    /** Returns a path without the extension of its last segment. */
    static String stem(String path) {
        int slash = path.lastIndexOf('/');
        int dot = path.lastIndexOf('.');
        return dot > slash + 1 ? path.substring(0, dot) : path;
    }

    static String annotation(ImageRow row, ImageSize size, String commit) {
        String path = row.path();
        int slash = path.lastIndexOf('/');
        StringBuilder sb = new StringBuilder();
        sb.append("<annotation>\n");
        sb.append("  <folder>").append(XmlText.escape(slash < 0 ? "" : path.substring(0, slash))).append("</folder>\n");
        sb.append("  <filename>").append(XmlText.escape(path.substring(slash + 1))).append("</filename>\n");
        sb.append("  <source>\n    <database>dsv export of commit ").append(commit).append("</database>\n  </source>\n");
        sb.append("  <size>\n");
        sb.append("    <width>").append(size.width()).append("</width>\n");
        sb.append("    <height>").append(size.height()).append("</height>\n");
        sb.append("  </size>\n");
        sb.append("  <segmented>0</segmented>\n");
        for (Defect d : TrainingFiles.defects(row)) {
            for (Region region : d.regions()) {
                object(sb, d.type(), region);
            }
        }
        sb.append("</annotation>\n");
        return sb.toString();
    }

    private static void object(StringBuilder sb, String defect, Region region) {
        List<BigDecimal> box = TrainingFiles.boundingBox(region);
        int xmin = pixel(box.get(0)) + 1;
        int ymin = pixel(box.get(1)) + 1;
        int xmax = Math.max(xmin, pixel(box.get(0).add(box.get(2))));
        int ymax = Math.max(ymin, pixel(box.get(1).add(box.get(3))));
        sb.append("  <object>\n");
        sb.append("    <name>").append(XmlText.escape(defect)).append("</name>\n");
        sb.append("    <pose>Unspecified</pose>\n    <truncated>0</truncated>\n    <difficult>0</difficult>\n");
        sb.append("    <bndbox>\n");
        sb.append("      <xmin>").append(xmin).append("</xmin>\n");
        sb.append("      <ymin>").append(ymin).append("</ymin>\n");
        sb.append("      <xmax>").append(xmax).append("</xmax>\n");
        sb.append("      <ymax>").append(ymax).append("</ymax>\n");
        sb.append("    </bndbox>\n");
        if (region.polygon() != null) {
            sb.append("    <polygon>\n");
            int i = 0;
            for (List<BigDecimal> p : region.polygon()) {
                i++;
                sb.append("      <x").append(i).append('>').append(TrainingFiles.plain(p.get(0).add(BigDecimal.ONE)).toPlainString())
                        .append("</x").append(i).append(">\n");
                sb.append("      <y").append(i).append('>').append(TrainingFiles.plain(p.get(1).add(BigDecimal.ONE)).toPlainString())
                        .append("</y").append(i).append(">\n");
            }
            sb.append("    </polygon>\n");
        }
        sb.append("  </object>\n");
    }

    /** Rounds a continuous coordinate half-even to a whole pixel boundary. */
    private static int pixel(BigDecimal value) {
        return value.setScale(0, RoundingMode.HALF_EVEN).intValueExact();
    }
}
