package dev.dsv.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Draws near-duplicate pairs from a {@code dsv --json leakage} report side by side, so a reader
 * can judge whether they are copies: the closest pairs, and the pairs just above the threshold.
 * Run by scripts/leakage-figures.
 * Arguments: REPORT.json IMAGES_DIR PREFIX OUT_DIR.
 */
public final class LeakageFigures {
    private static final int SIDE = 240;
    private static final int CAPTION = 22;
    private static final int GAP = 12;

    private LeakageFigures() {
    }

    public static void main(String[] args) throws Exception {
        JsonNode report = new ObjectMapper().readTree(Path.of(args[0]).toFile());
        Path images = Path.of(args[1]);
        String prefix = args[2];
        Path out = Path.of(args[3]);
        Files.createDirectories(out);
        List<JsonNode> pairs = new ArrayList<>();
        report.path("near_duplicates").path("pairs").forEach(pairs::add);
        int shown = Math.min(6, pairs.size());
        write(pairs.subList(0, shown), images, prefix, out.resolve("leakage-elpv-closest.png"));
        write(pairs.subList(Math.max(shown, pairs.size() - 4), pairs.size()), images, prefix,
                out.resolve("leakage-elpv-threshold.png"));
        System.out.printf("%d pairs; wrote %s and %s%n", pairs.size(), out.resolve("leakage-elpv-closest.png"),
                out.resolve("leakage-elpv-threshold.png"));
    }

    /** One row per pair: image A, image B, and a caption with the score, splits and names. */
    private static void write(List<JsonNode> pairs, Path images, String prefix, Path target) throws Exception {
        int width = 2 * SIDE + 3 * GAP;
        int row = SIDE + CAPTION + GAP;
        BufferedImage canvas = new BufferedImage(width, Math.max(1, pairs.size()) * row + GAP,
                BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = canvas.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, canvas.getWidth(), canvas.getHeight());
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        for (int i = 0; i < pairs.size(); i++) {
            JsonNode p = pairs.get(i);
            int y = GAP + i * row;
            g.setColor(Color.BLACK);
            g.drawString(String.format(Locale.ROOT, "%.3f / %s   %s %s  ~  %s %s", p.path("correlation").asDouble(),
                    p.path("residual").isNumber() ? String.format(Locale.ROOT, "%.3f", p.path("residual").asDouble()) : "-",
                    p.path("a").path("split").asText(), name(p.path("a")), p.path("b").path("split").asText(),
                    name(p.path("b"))), GAP, y + 15);
            g.drawImage(read(images, prefix, p.path("a")), GAP, y + CAPTION, SIDE, SIDE, null);
            g.drawImage(read(images, prefix, p.path("b")), 2 * GAP + SIDE, y + CAPTION, SIDE, SIDE, null);
        }
        g.dispose();
        ImageIO.write(canvas, "png", target.toFile());
    }

    private static String name(JsonNode side) {
        String path = side.path("path").asText();
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static BufferedImage read(Path images, String prefix, JsonNode side) throws Exception {
        String path = side.path("path").asText();
        return ImageIO.read(images.resolve(path.substring(prefix.length() + 1)).toFile());
    }
}
