package dev.dsv.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Decoding COCO RLE masks and tracing their outlines into polygons. */
class RleMaskTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Encodes a mask (mask[y][x]) as uncompressed COCO RLE: runs in column-major order, 0 first. */
    private static JsonNode rle(boolean[][] mask) {
        int height = mask.length;
        int width = mask[0].length;
        ObjectNode n = JSON.createObjectNode();
        n.putArray("size").add(height).add(width);
        ArrayNode counts = n.putArray("counts");
        boolean current = false;
        long run = 0;
        for (int x = 0; x < width; x++) {
            for (int y = 0; y < height; y++) {
                if (mask[y][x] != current) {
                    counts.add(run);
                    run = 0;
                    current = !current;
                }
                run++;
            }
        }
        counts.add(run);
        return n;
    }

    private static double shoelace(List<BigDecimal> flat) {
        double twice = 0;
        int n = flat.size() / 2;
        for (int i = 0; i < n; i++) {
            int j = (i + 1) % n;
            twice += flat.get(2 * i).doubleValue() * flat.get(2 * j + 1).doubleValue()
                    - flat.get(2 * j).doubleValue() * flat.get(2 * i + 1).doubleValue();
        }
        return twice / 2;
    }

    /**
     * Counts mask pixels plus hole pixels: background pixels with no 8-connected path to the
     * border, which the traced outer outlines enclose.
     */
    private static int filledArea(boolean[][] mask) {
        int height = mask.length;
        int width = mask[0].length;
        boolean[][] outside = new boolean[height][width];
        ArrayDeque<int[]> queue = new ArrayDeque<>();
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                if (!mask[y][x] && (x == 0 || y == 0 || x == width - 1 || y == height - 1)) {
                    outside[y][x] = true;
                    queue.add(new int[] {x, y});
                }
            }
        }
        while (!queue.isEmpty()) {
            int[] p = queue.poll();
            for (int dy = -1; dy <= 1; dy++) {
                for (int dx = -1; dx <= 1; dx++) {
                    int x = p[0] + dx;
                    int y = p[1] + dy;
                    if (x >= 0 && y >= 0 && x < width && y < height && !mask[y][x] && !outside[y][x]) {
                        outside[y][x] = true;
                        queue.add(new int[] {x, y});
                    }
                }
            }
        }
        int area = 0;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                area += outside[y][x] ? 0 : 1;
            }
        }
        return area;
    }

    /** Returns true when a pixel center lies inside any polygon (even-odd rule). */
    private static boolean coveredByAny(List<List<BigDecimal>> polygons, double px, double py) {
        for (List<BigDecimal> flat : polygons) {
            boolean inside = false;
            int n = flat.size() / 2;
            for (int i = 0, j = n - 1; i < n; j = i++) {
                double xi = flat.get(2 * i).doubleValue();
                double yi = flat.get(2 * i + 1).doubleValue();
                double xj = flat.get(2 * j).doubleValue();
                double yj = flat.get(2 * j + 1).doubleValue();
                if ((yi > py) != (yj > py) && px < (xj - xi) * (py - yi) / (yj - yi) + xi) {
                    inside = !inside;
                }
            }
            if (inside) {
                return true;
            }
        }
        return false;
    }

    @Test
    void diagonalPixelsTwoPolygons() {
        boolean[][] mask = {{true, false}, {false, true}};
        List<List<BigDecimal>> polygons = RleMask.decode(rle(mask), 2, 2).polygons();
        assertEquals(2, polygons.size());
        assertEquals(List.of(0, 0, 1, 0, 1, 1, 0, 1), ints(polygons.get(0)));
        assertEquals(List.of(1, 1, 2, 1, 2, 2, 1, 2), ints(polygons.get(1)));
    }

    private static List<Integer> ints(List<BigDecimal> values) {
        return values.stream().map(BigDecimal::intValueExact).toList();
    }

    @Test
    void ringWithIslandFillsHole() {
        boolean[][] mask = new boolean[7][7];
        for (int i = 0; i < 7; i++) {
            mask[0][i] = true;
            mask[6][i] = true;
            mask[i][0] = true;
            mask[i][6] = true;
        }
        mask[3][3] = true;
        List<List<BigDecimal>> polygons = RleMask.decode(rle(mask), 7, 7).polygons();
        assertEquals(2, polygons.size());
        assertEquals(49.0, shoelace(polygons.get(0)), "outline of the ring, hole filled");
        assertEquals(1.0, shoelace(polygons.get(1)), "the island");
    }

    @Test
    void randomMasksAreaMatches() {
        Random random = new Random(20240502L);
        for (int trial = 0; trial < 200; trial++) {
            int width = 3 + random.nextInt(12);
            int height = 3 + random.nextInt(12);
            boolean[][] mask = new boolean[height][width];
            double density = 0.2 + 0.6 * random.nextDouble();
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    mask[y][x] = random.nextDouble() < density;
                }
            }
            List<List<BigDecimal>> polygons = RleMask.decode(rle(mask), width, height).polygons();
            for (List<BigDecimal> polygon : polygons) {
                assertTrue(shoelace(polygon) > 0, "outer outlines run clockwise on screen, trial " + trial);
            }
            int covered = 0;
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    covered += coveredByAny(polygons, x + 0.5, y + 0.5) ? 1 : 0;
                }
            }
            assertEquals(filledArea(mask), covered, "trial " + trial);
        }
    }

    @Test
    void compressedCountsDecoded() {
        // "414" is what pycocotools 2.0.11 mask.encode writes for a 3 x 3 mask whose only pixel
        // is the center: runs 4, 1, 4.
        ObjectNode rle = JSON.createObjectNode();
        rle.putArray("size").add(3).add(3);
        rle.put("counts", "414");
        RleMask mask = RleMask.decode(rle, 3, 3);
        assertEquals(1, mask.area());
        assertEquals(List.of(1, 1, 2, 1, 2, 2, 1, 2), ints(mask.polygons().get(0)));
    }

    @Test
    void invalidMasksRejected() {
        ObjectNode wrongSize = JSON.createObjectNode();
        wrongSize.putArray("size").add(3).add(4);
        wrongSize.putArray("counts").add(12);
        assertThrows(IllegalArgumentException.class, () -> RleMask.decode(wrongSize, 3, 3));
        ObjectNode tooLong = JSON.createObjectNode();
        tooLong.putArray("size").add(3).add(3);
        tooLong.putArray("counts").add(5).add(5);
        assertThrows(IllegalArgumentException.class, () -> RleMask.decode(tooLong, 3, 3));
        ObjectNode tooShort = JSON.createObjectNode();
        tooShort.putArray("size").add(3).add(3);
        tooShort.putArray("counts").add(4).add(1);
        assertThrows(IllegalArgumentException.class, () -> RleMask.decode(tooShort, 3, 3));
    }
}
