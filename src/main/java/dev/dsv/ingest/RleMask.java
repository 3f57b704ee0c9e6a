package dev.dsv.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A COCO run-length mask: {@code {"size": [height, width], "counts": ...}}, where counts are
 * alternating runs of 0 and 1 pixels in column-major order, starting with 0. Counts are a list of
 * integers (uncompressed RLE) or a string (compressed RLE, as the COCO API writes it).
 *
 * <p>In the string form each count from the third on is stored as its difference to the count
 * two places earlier. A count is written in 5-bit groups, least significant first, each group
 * plus 48 as one character. Bit 0x20 of a group means that more groups follow, and bit 0x10 of
 * the last group is the sign.
 */
final class RleMask {
    private final int width;
    private final int height;
    private final BitSet pixels;

    private RleMask(int width, int height, BitSet pixels) {
        this.width = width;
        this.height = height;
        this.pixels = pixels;
    }

    /**
     * Decodes a mask of an image of the given size.
     *
     * @throws IllegalArgumentException when the object is not a valid mask of that size
     */
    static RleMask decode(JsonNode rle, int width, int height) {
        JsonNode size = rle.get("size");
        if (size == null || !size.isArray() || size.size() != 2 || !size.get(0).isIntegralNumber()
                || !size.get(1).isIntegralNumber()) {
            throw new IllegalArgumentException("an RLE mask needs \"size\": [height, width]");
        }
        if (size.get(0).asLong() != height || size.get(1).asLong() != width) {
            throw new IllegalArgumentException("the RLE mask is " + size.get(1).asLong() + "x" + size.get(0).asLong()
                    + " (width x height), but the image is " + width + "x" + height);
        }
        List<Long> runs = runs(rle.get("counts"));

        long total = (long) width * height;
        BitSet pixels = new BitSet();
        long at = 0;
        boolean on = false;
        for (long run : runs) {
            if (run < 0 || at + run > total) {
                throw new IllegalArgumentException("the RLE counts do not fit a " + width + "x" + height + " image");
            }
            if (on) {
                for (long i = at; i < at + run; i++) {
                    int x = (int) (i / height);
                    int y = (int) (i % height);
                    pixels.set(y * width + x);
                }
            }
            at += run;
            on = !on;
        }
        if (at != total) {
            throw new IllegalArgumentException("the RLE counts cover " + at + " pixels, but the image has " + total);
        }
        return new RleMask(width, height, pixels);
    }

    /** Returns the run lengths of the {@code counts} field. */
    private static List<Long> runs(JsonNode counts) {
        if (counts != null && counts.isTextual()) {
            return decompress(counts.asText());
        }
        if (counts == null || !counts.isArray()) {
            throw new IllegalArgumentException("an RLE mask needs \"counts\", a list of integers or a string");
        }
        List<Long> runs = new ArrayList<>();
        for (JsonNode c : counts) {
            if (!c.isIntegralNumber()) {
                throw new IllegalArgumentException("RLE counts must be integers");
            }
            runs.add(c.asLong());
        }
        return runs;
    }

    /** Decodes the string form of the counts. */
    private static List<Long> decompress(String text) {
        List<Long> runs = new ArrayList<>();
        int p = 0;
        while (p < text.length()) {
            long value = 0;
            int group = 0;
            boolean more = true;
            while (more) {
                if (p >= text.length()) {
                    throw new IllegalArgumentException("compressed RLE counts end inside a count");
                }
                int c = text.charAt(p) - 48;
                if (c < 0 || c > 63) {
                    throw new IllegalArgumentException("compressed RLE counts contain '" + text.charAt(p) + "'");
                }
                value |= (long) (c & 0x1f) << (5 * group);
                more = (c & 0x20) != 0;
                p++;
                group++;
                if (!more && (c & 0x10) != 0) {
                    value |= -1L << (5 * group);
                }
                if (group > 12) {
                    throw new IllegalArgumentException("compressed RLE count too long");
                }
            }
            if (runs.size() > 2) {
                value += runs.get(runs.size() - 2);
            }
            runs.add(value);
        }
        return runs;
    }

    /** Returns the number of mask pixels. */
    int area() {
        return pixels.cardinality();
    }

    private boolean on(int x, int y) {
        return x >= 0 && y >= 0 && x < width && y < height && pixels.get(y * width + x);
    }

    /**
     * Traces the outline of each 4-connected group of mask pixels along the pixel edges and
     * returns it as a flat list {@code [x1, y1, x2, y2, ...]} in pixel-corner coordinates, with
     * collinear corners dropped. The polygon covers exactly the group's pixels, except that holes
     * inside a group are filled, because a dsv polygon has no holes.
     */
    List<List<BigDecimal>> polygons() {
        // Directed boundary edges, keyed by start corner; bit d set means an edge leaves in
        // direction d (0 east, 1 south, 2 west, 3 north). Each edge has the mask on its right,
        // so outer outlines run clockwise on screen and hole outlines counter-clockwise.
        Map<Long, Integer> edges = new TreeMap<>();
        int[] dx = {1, 0, -1, 0};
        int[] dy = {0, 1, 0, -1};
        for (int i = pixels.nextSetBit(0); i >= 0; i = pixels.nextSetBit(i + 1)) {
            int x = i % width;
            int y = i / width;
            if (!on(x, y - 1)) {
                addEdge(edges, x, y, 0);
            }
            if (!on(x + 1, y)) {
                addEdge(edges, x + 1, y, 1);
            }
            if (!on(x, y + 1)) {
                addEdge(edges, x + 1, y + 1, 2);
            }
            if (!on(x - 1, y)) {
                addEdge(edges, x, y + 1, 3);
            }
        }
        List<List<BigDecimal>> out = new ArrayList<>();
        while (!edges.isEmpty()) {
            long start = startCorner(edges);
            int x = (int) (start % (width + 1));
            int y = (int) (start / (width + 1));
            int first = Integer.numberOfTrailingZeros(edges.get(start));
            int direction = first;
            List<int[]> corners = new ArrayList<>();
            long twiceArea = 0;
            do {
                removeEdge(edges, x, y, direction);
                corners.add(new int[] {x, y, direction});
                int nx = x + dx[direction];
                int ny = y + dy[direction];
                twiceArea += (long) x * ny - (long) nx * y;
                x = nx;
                y = ny;
                int available = edges.getOrDefault(key(x, y), 0);
                // The outline closes where the turn rule would take the first edge again.
                if (key(x, y) == start && nextDirection(available | (1 << first), direction) == first) {
                    break;
                }
                direction = nextDirection(available, direction);
            } while (direction >= 0);
            if (twiceArea > 0) {
                out.add(dropCollinear(corners));
            }
        }
        return out;
    }

    /**
     * Returns the first corner, in key order, that only one edge leaves. Starting there means the
     * walk meets its start only at the end, so two outlines that touch at a corner are never
     * walked as one.
     */
    private static long startCorner(Map<Long, Integer> edges) {
        for (Map.Entry<Long, Integer> e : edges.entrySet()) {
            if (Integer.bitCount(e.getValue()) == 1) {
                return e.getKey();
            }
        }
        return edges.keySet().iterator().next();
    }

    /** Prefers a right turn, then straight on, then a left turn, which keeps diagonal pixels apart. */
    private static int nextDirection(int available, int arriving) {
        for (int turn : new int[] {1, 0, 3}) {
            int d = (arriving + turn) % 4;
            if ((available & (1 << d)) != 0) {
                return d;
            }
        }
        return -1;
    }

    private long key(int x, int y) {
        return (long) y * (width + 1) + x;
    }

    private void addEdge(Map<Long, Integer> edges, int x, int y, int direction) {
        edges.merge(key(x, y), 1 << direction, (a, b) -> a | b);
    }

    private void removeEdge(Map<Long, Integer> edges, int x, int y, int direction) {
        long k = key(x, y);
        int left = edges.get(k) & ~(1 << direction);
        if (left == 0) {
            edges.remove(k);
        } else {
            edges.put(k, left);
        }
    }

    /** Keeps the corners where the direction changes. */
    private static List<BigDecimal> dropCollinear(List<int[]> corners) {
        List<BigDecimal> flat = new ArrayList<>();
        int n = corners.size();
        for (int i = 0; i < n; i++) {
            int[] c = corners.get(i);
            int previous = corners.get((i + n - 1) % n)[2];
            if (c[2] != previous) {
                flat.add(BigDecimal.valueOf(c[0]));
                flat.add(BigDecimal.valueOf(c[1]));
            }
        }
        return flat;
    }
}
