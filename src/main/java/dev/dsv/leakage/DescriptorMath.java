package dev.dsv.leakage;

import dev.dsv.imaging.GrayImage;

/**
 * Computes descriptors from pixels. Every image is first reduced to a {@value #BASE}x{@value #BASE}
 * grid of area means, so the rest of the work does not depend on the image size or bit depth.
 */
public final class DescriptorMath {
    /** Side of the intermediate grid of area means. */
    static final int BASE = 128;
    /** Side of the grid the perceptual hash is computed from. */
    static final int HASH_GRID = 32;
    /** DCT coefficients per axis that feed the hash (the lowest frequencies). */
    static final int HASH_FREQUENCIES = 8;
    /** Side of the stored thumbnail. */
    public static final int THUMB = 64;

    /**
     * The crops of the frame whose hashes are stored, as {left, top, right, bottom} margins in
     * fractions of the side: every combination of 0, 2.5% and 5% per side except no crop at all.
     * A copy cropped by up to 5% per side is within 1.25% per side of one of them, so its
     * whole-frame hash is close to one of these crop hashes.
     */
    static final double[][] VARIANTS;
    /** The crop margins per axis that {@link #VARIANTS} combines: {start, end} fractions of the side. */
    private static final double[][] AXIS = {{0, 0}, {0.025, 0}, {0.05, 0}, {0, 0.025}, {0.025, 0.025},
        {0.05, 0.025}, {0, 0.05}, {0.025, 0.05}, {0.05, 0.05}};

    static {
        VARIANTS = variants();
    }

    private DescriptorMath() {
    }

    private static double[][] variants() {
        java.util.List<double[]> out = new java.util.ArrayList<>();
        for (double[] h : AXIS) {
            for (double[] v : AXIS) {
                if (h[0] + h[1] + v[0] + v[1] == 0) {
                    continue;
                }
                out.add(new double[] {h[0], v[0], h[1], v[1]});
            }
        }
        return out.toArray(double[][]::new);
    }

    /** Sample positions and weights of each {@link #AXIS} crop on the hash grid. */
    private static final Axis[] AXIS_SAMPLES = axisSamples();

    /**
     * Computes the descriptor of an image. The hashes of the whole frame and of the 80 crops share
     * work: resampling and the DCT are both separable, so each horizontal crop is resampled and
     * transformed along the rows once (9 times in all), and each of the 81 combinations then only
     * resamples and transforms 8 columns. The result is the same as resampling each crop and then
     * hashing it, up to rounding.
     */
    public static Descriptor describe(GrayImage image) {
        float[] reduced = image.resize(BASE, BASE).samples();
        double[] base = new double[reduced.length];
        for (int i = 0; i < reduced.length; i++) {
            base[i] = reduced[i];
        }
        int f = HASH_FREQUENCIES;
        // rowSpectra[h][r * f + u]: row r of the base grid, resampled to the horizontal crop h and
        // transformed to frequency u.
        double[][] rowSpectra = new double[AXIS.length][];
        double[] row = new double[HASH_GRID];
        for (int h = 0; h < AXIS.length; h++) {
            Axis ax = AXIS_SAMPLES[h];
            double[] spectra = new double[BASE * f];
            for (int r = 0; r < BASE; r++) {
                ax.resample(base, r * BASE, 1, row, 0, 1);
                for (int u = 0; u < f; u++) {
                    double sum = 0;
                    for (int x = 0; x < HASH_GRID; x++) {
                        sum += row[x] * COSINES[u][x];
                    }
                    spectra[r * f + u] = sum;
                }
            }
            rowSpectra[h] = spectra;
        }
        long hash = 0;
        long[] crops = new long[VARIANTS.length];
        double[] columns = new double[HASH_GRID * f];
        double[] coefficients = new double[f * f - 1];
        int c = 0;
        for (int h = 0; h < AXIS.length; h++) {
            for (int v = 0; v < AXIS.length; v++) {
                Axis ay = AXIS_SAMPLES[v];
                for (int u = 0; u < f; u++) {
                    ay.resample(rowSpectra[h], u, f, columns, u, f);
                }
                int k = 0;
                for (int fv = 0; fv < f; fv++) {
                    for (int u = 0; u < f; u++) {
                        if (u == 0 && fv == 0) {
                            continue;
                        }
                        double sum = 0;
                        for (int y = 0; y < HASH_GRID; y++) {
                            sum += columns[y * f + u] * COSINES[fv][y];
                        }
                        coefficients[k++] = sum;
                    }
                }
                long bits = bits(coefficients);
                if (h == 0 && v == 0) {
                    hash = bits;
                } else {
                    crops[c++] = bits;
                }
            }
        }
        byte[] thumb = toBytes(resample(base, BASE, 0, 0, 0, 0, THUMB));
        return new Descriptor(image.width(), image.height(), hash, crops, thumb);
    }

    private static Axis[] axisSamples() {
        Axis[] out = new Axis[AXIS.length];
        for (int i = 0; i < AXIS.length; i++) {
            out[i] = new Axis(AXIS[i][0], AXIS[i][1]);
        }
        return out;
    }

    /**
     * One axis of {@link #resample} for fixed margins: the two sample positions of each output cell
     * on a line of {@value #BASE} values, as the lower index and the weight of the upper one.
     */
    private static final class Axis {
        final int[] index = new int[HASH_GRID * 2];
        final double[] weight = new double[HASH_GRID * 2];

        Axis(double start, double end) {
            double origin = start * BASE;
            double cell = (1 - start - end) * BASE / HASH_GRID;
            for (int o = 0; o < HASH_GRID; o++) {
                for (int s = 0; s < 2; s++) {
                    double x = origin + (o + (s + 0.5) / 2) * cell - 0.5;
                    x = Math.max(0, Math.min(BASE - 1, x));
                    int i = Math.min((int) x, BASE - 2);
                    index[o * 2 + s] = i;
                    weight[o * 2 + s] = x - i;
                }
            }
        }

        /** Resamples the line in[from + i * stride] onto out[to + o * outStride] for o below the hash grid side. */
        void resample(double[] in, int from, int stride, double[] out, int to, int outStride) {
            for (int o = 0; o < HASH_GRID; o++) {
                double sum = 0;
                for (int s = 0; s < 2; s++) {
                    int i = from + index[o * 2 + s] * stride;
                    double w = weight[o * 2 + s];
                    sum += in[i] * (1 - w) + in[i + stride] * w;
                }
                out[to + o * outStride] = sum / 2;
            }
        }
    }

    /**
     * Samples the part of a square grid inside the given margins (fractions of the side) onto an
     * out x out grid, averaging 4x4 bilinear samples per output cell.
     */
    static double[] resample(double[] grid, int side, double left, double top, double right, double bottom, int out) {
        double[] result = new double[out * out];
        double x0 = left * side;
        double y0 = top * side;
        double cellW = (1 - left - right) * side / out;
        double cellH = (1 - top - bottom) * side / out;
        for (int oy = 0; oy < out; oy++) {
            for (int ox = 0; ox < out; ox++) {
                double s = 0;
                for (int sy = 0; sy < 2; sy++) {
                    for (int sx = 0; sx < 2; sx++) {
                        double x = x0 + (ox + (sx + 0.5) / 2) * cellW - 0.5;
                        double y = y0 + (oy + (sy + 0.5) / 2) * cellH - 0.5;
                        s += bilinear(grid, side, x, y);
                    }
                }
                result[oy * out + ox] = s / 4;
            }
        }
        return result;
    }

    static double bilinear(double[] grid, int side, double x, double y) {
        x = Math.max(0, Math.min(side - 1, x));
        y = Math.max(0, Math.min(side - 1, y));
        int ix = Math.min((int) x, side - 2);
        int iy = Math.min((int) y, side - 2);
        double fx = x - ix;
        double fy = y - iy;
        double a = grid[iy * side + ix];
        double b = grid[iy * side + ix + 1];
        double c = grid[(iy + 1) * side + ix];
        double d = grid[(iy + 1) * side + ix + 1];
        return (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy;
    }

    private static final double[][] COSINES = cosines();

    private static double[][] cosines() {
        double[][] c = new double[HASH_FREQUENCIES][HASH_GRID];
        for (int u = 0; u < HASH_FREQUENCIES; u++) {
            for (int x = 0; x < HASH_GRID; x++) {
                c[u][x] = Math.cos(Math.PI * u * (2 * x + 1) / (2.0 * HASH_GRID));
            }
        }
        return c;
    }

    /**
     * The DCT perceptual hash: the 8x8 lowest-frequency DCT-II coefficients of the 32x32 grid
     * without the mean term, one bit each for "above the median of the 63". Bit 63 stays zero. A
     * brightness or contrast change scales and offsets the grid, which moves neither the signs of
     * the differences to the median nor the hash.
     */
    static long hash(double[] grid) {
        int n = HASH_GRID;
        int f = HASH_FREQUENCIES;
        double[] rows = new double[f * n];
        for (int u = 0; u < f; u++) {
            for (int y = 0; y < n; y++) {
                double s = 0;
                for (int x = 0; x < n; x++) {
                    s += grid[y * n + x] * COSINES[u][x];
                }
                rows[u * n + y] = s;
            }
        }
        double[] coefficients = new double[f * f - 1];
        int k = 0;
        for (int v = 0; v < f; v++) {
            for (int u = 0; u < f; u++) {
                if (u == 0 && v == 0) {
                    continue;
                }
                double s = 0;
                for (int y = 0; y < n; y++) {
                    s += rows[u * n + y] * COSINES[v][y];
                }
                coefficients[k++] = s;
            }
        }
        return bits(coefficients);
    }

    /** Sets bit i for each coefficient i above the median of all of them. */
    private static long bits(double[] coefficients) {
        double[] sorted = coefficients.clone();
        java.util.Arrays.sort(sorted);
        double median = sorted[sorted.length / 2];
        long bits = 0;
        for (int i = 0; i < coefficients.length; i++) {
            if (coefficients[i] > median) {
                bits |= 1L << i;
            }
        }
        return bits;
    }

    /** Scales a grid to bytes by its own minimum and maximum (a flat grid becomes all zero). */
    static byte[] toBytes(double[] grid) {
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        for (double v : grid) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        double scale = max > min ? 255 / (max - min) : 0;
        byte[] out = new byte[grid.length];
        for (int i = 0; i < grid.length; i++) {
            out[i] = (byte) Math.round((grid[i] - min) * scale);
        }
        return out;
    }
}
