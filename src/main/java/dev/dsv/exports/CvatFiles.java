package dev.dsv.exports;

import dev.dsv.index.ImageRow;
import dev.dsv.ingest.ImageSize;
import dev.dsv.model.Defect;
import dev.dsv.model.Region;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * Renders a "CVAT for images 1.1" XML file, the inverse of {@code dev.dsv.ingest.CvatLabels}: one
 * {@code <image>} per row with its dataset path as {@code name}, a {@code <box>} or
 * {@code <polygon>} per region and a {@code <tag>} per defect type without regions. CVAT's
 * coordinates are dsv's (pixels from the top-left corner), so values are written unchanged, with
 * dsv's 3 decimal places and no trailing zeros. The file carries no labeler or time.
 */
final class CvatFiles {
    static final String FILE = "annotations.xml";

    private CvatFiles() {
    }

    static String annotations(List<ImageRow> rows, Map<String, ImageSize> sizes, String commit) {
        StringBuilder sb = new StringBuilder();
        sb.append("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");

        sb.append("<annotations>\n");
        sb.append("  <version>1.1</version>\n");
        sb.append("  <meta>\n    <task>\n");
        sb.append("      <name>dsv export of commit ").append(commit).append("</name>\n");
        sb.append("      <size>").append(rows.size()).append("</size>\n");
        sb.append("      <mode>annotation</mode>\n");
        sb.append("      <labels>\n");
        for (String name : TrainingFiles.classes(rows)) {
            sb.append("        <label>\n          <name>").append(XmlText.escape(name)).append("</name>\n");
            sb.append("          <type>any</type>\n          <attributes>\n          </attributes>\n        </label>\n");
        }
        sb.append("      </labels>\n    </task>\n  </meta>\n");

        int id = 0;
        for (ImageRow row : rows) {
            ImageSize size = sizes.get(row.path());
            sb.append("  <image id=\"").append(id++).append("\" name=\"").append(XmlText.escape(row.path()))
                    .append("\" width=\"").append(size.width()).append("\" height=\"").append(size.height()).append("\">\n");
            for (Defect d : TrainingFiles.defects(row)) {
                String label = XmlText.escape(d.type());
                if (d.regions().isEmpty()) {
                    sb.append("    <tag label=\"").append(label).append("\" source=\"manual\">\n    </tag>\n");
                }
                for (Region region : d.regions()) {
                    shape(sb, label, region);
                }
            }
            sb.append("  </image>\n");
        }
        sb.append("</annotations>\n");
        return sb.toString();
    }

    private static void shape(StringBuilder sb, String label, Region region) {
        if (region.box() != null) {
            List<BigDecimal> b = region.box();
            sb.append("    <box label=\"").append(label).append("\" source=\"manual\" occluded=\"0\"")
                    .append(" xtl=\"").append(number(b.get(0))).append('"')
                    .append(" ytl=\"").append(number(b.get(1))).append('"')
                    .append(" xbr=\"").append(number(b.get(0).add(b.get(2)))).append('"')
                    .append(" ybr=\"").append(number(b.get(1).add(b.get(3)))).append('"')
                    .append(" z_order=\"0\">\n    </box>\n");
            return;
        }
        StringBuilder points = new StringBuilder();
        for (List<BigDecimal> p : region.polygon()) {
            if (points.length() > 0) {
                points.append(';');
            }
            points.append(number(p.get(0))).append(',').append(number(p.get(1)));
        }
        sb.append("    <polygon label=\"").append(label).append("\" source=\"manual\" occluded=\"0\" points=\"")
                .append(points).append("\" z_order=\"0\">\n    </polygon>\n");
    }

    private static String number(BigDecimal value) {
        return TrainingFiles.plain(value).toPlainString();
    }
}
