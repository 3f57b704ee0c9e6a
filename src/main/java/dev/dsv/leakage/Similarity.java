package dev.dsv.leakage;

/**
 * The fine check of a candidate pair: the correlation of two thumbnails after aligning one to the
 * other. Image B is modelled as the part of image A between four margins (fractions of A's side,
 * each between -{@value #MAX_MARGIN} and +{@value #MAX_MARGIN}; a negative margin means B shows
 * more than A on that side). A crop of either image, a shift and a small scale change all become
 * margins, and a resize or re-encoding leaves the thumbnail nearly unchanged.
 *
 * <p>The margins are found in two steps: each axis separately, by aligning the column (or row)
 * means on a grid of 1% steps, then all four together by coordinate descent: 1% steps on a
 * half-size grid, then 0.5% and 0.25% steps at full size.
 *
 * <p>The score is the lower of two normalised cross-correlations over the overlap: of the
 * intensities, and of the fine detail (each thumbnail minus its local mean). Both ignore
 * brightness and contrast. The detail separates cells that share shading, and the intensities
 * separate cells whose outlines and busbars match in detail but differ in layout. A copy scores
 * high on both.
 */
public final class Similarity {
    /** The largest margin tried per side, as a fraction of the side. */
    public static final double MAX_MARGIN = 0.06;
    private static final double STEP = 0.01;
    /** An alignment that leaves less than this share of B inside A is not a match. */
    private static final double MIN_OVERLAP = 0.75;
    /**
     * A pair whose plain correlation after the coarse alignment is below this is not refined
     * further. The copies measured on ELPV scored at least 0.88 after the final alignment, so this
     * bound leaves room for the coarse one.
     */
    private static final double PLAIN_ENOUGH = 0.7;
    /**
     * A pair whose plain correlation on the half-size grids, at the margins that align the row and
     * column means, is below this is rejected before any search of the margins. Two unrelated
     * 32x32 grids correlate near 0 (spread about 0.03); the 804 planted copies of ELPV images
     * measured by {@code ScoreDistribution} scored at least 0.879 at this stage, so the bound
     * rejects unrelated pairs without touching a copy.
     */
    static final double QUICK_REJECT = 0.4;
    /** Side of the box whose mean is subtracted before the final correlation. */
    private static final int DETAIL_BOX = 5;

    /** The score and the margins of B inside A that gave it. */
    public record Match(double correlation, double left, double top, double right, double bottom) {
    }

    private Similarity() {
    }

    /** Aligns two thumbnails of side {@link DescriptorMath#THUMB} and returns the score of the best alignment. */
    public static Match compare(byte[] a, byte[] b) {
        int n = DescriptorMath.THUMB;
        double[] ga = toDoubles(a);
        double[] gb = toDoubles(b);
        int half = n / 2;
        double[] ha = halve(ga, n);
        double[] hb = halve(gb, n);
        double[] h = alignProfile(columnMeans(ga, n), columnMeans(gb, n));
        double[] v = alignProfile(rowMeans(ga, n), rowMeans(gb, n));
        double[] m = {h[0], v[0], h[1], v[1]};

        double[] scratch = new double[half * half];
        double quick = correlation(ha, hb, half, m, scratch);
        if (quick < QUICK_REJECT) {
            return new Match(quick, m[0], m[1], m[2], m[3]);
        }
        m = descend(m, STEP, 1, trial -> correlation(ha, hb, half, trial, scratch));
        if (correlation(ha, hb, half, m, scratch) < PLAIN_ENOUGH) {
            // Far from a copy even in plain intensities: refining the alignment cannot change the verdict.
            double plain = correlation(ga, gb, n, m, new double[n * n]);
            return new Match(Math.min(plain, detailCorrelation(ga, gb, n, m)), m[0], m[1], m[2], m[3]);
        }
        double[] full = new double[n * n];
        double[] finalMargins = descend(m, STEP / 2, 1, trial -> correlation(ga, gb, n, trial, full));
        double plain = correlation(ga, gb, n, finalMargins, full);
        double score = Math.min(plain, detailCorrelation(ga, gb, n, finalMargins));
        return new Match(score, finalMargins[0], finalMargins[1], finalMargins[2], finalMargins[3]);
    }

    /**
     * Coordinate descent on the four margins: moves one margin by a step while that raises the
     * score, and halves the step {@code halvings} times when no move helps.
     */
    private static double[] descend(double[] start, double step, int halvings,
                                    java.util.function.ToDoubleFunction<double[]> score) {
        double[] m = start;
        double best = score.applyAsDouble(m);
        for (int level = 0; level <= halvings; level++, step /= 2) {
            boolean moved = true;
            for (int round = 0; moved && round < 4; round++) {
                moved = false;
                for (int k = 0; k < 4; k++) {
                    for (int sign = -1; sign <= 1; sign += 2) {
                        double[] trial = m.clone();
                        trial[k] = clamp(trial[k] + sign * step);
                        double c = score.applyAsDouble(trial);
                        if (c > best + 1e-9) {
                            best = c;
                            m = trial;
                            moved = true;
                        }
                    }
                }
            }
        }
        return m;
    }

    private static double clamp(double margin) {
        return Math.max(-MAX_MARGIN, Math.min(MAX_MARGIN, margin));
    }

    /** Returns the margins {start, end} that best map profile b onto profile a. */
    static double[] alignProfile(double[] a, double[] b) {
        int steps = (int) Math.round(MAX_MARGIN / STEP);
        int n = a.length;
        double[] sampled = new double[n];
        double bestScore = -2;
        double[] best = {0, 0};
        for (int i = -steps; i <= steps; i++) {
            for (int j = -steps; j <= steps; j++) {
                double start = i * STEP;
                double end = j * STEP;
                int[] range = insideRange(n, start, end);
                if (range[1] - range[0] < MIN_OVERLAP * n) {
                    continue;
                }
                for (int x = range[0]; x < range[1]; x++) {
                    sampled[x] = linear(a, position(n, start, end, x));
                }
                double score = correlate(sampled, b, range[0], range[1], 0, 1, 1);
                if (score > bestScore) {
                    bestScore = score;
                    best = new double[] {start, end};
                }
            }
        }
        return best;
    }

    /** Returns where pixel x of B lies in A's pixel coordinates, for margins start and end. */
    private static double position(int n, double start, double end, int x) {
        return (start + (x + 0.5) / n * (1 - start - end)) * n - 0.5;
    }

    /** Returns the pixels [from, to) of B whose place in A lies inside A. */
    static int[] insideRange(int n, double start, double end) {
        int from = 0;
        while (from < n && position(n, start, end, from) < -0.5) {
            from++;
        }
        int to = n;
        while (to > from && position(n, start, end, to - 1) > n - 0.5) {
            to--;
        }
        return new int[] {from, to};
    }

    private static double linear(double[] p, double pos) {
        pos = Math.max(0, Math.min(p.length - 1, pos));
        int i = Math.min((int) pos, p.length - 2);
        double f = pos - i;
        return p[i] * (1 - f) + p[i + 1] * f;
    }

    /** Correlates B with A at margins m over their overlap; -1 when the overlap is too small. */
    private static double correlation(double[] a, double[] b, int n, double[] m, double[] sampled) {
        int[] xs = insideRange(n, m[0], m[2]);
        int[] ys = insideRange(n, m[1], m[3]);
        if ((double) (xs[1] - xs[0]) * (ys[1] - ys[0]) < MIN_OVERLAP * n * n) {
            return -1;
        }
        sample(a, n, m, xs, ys, sampled);
        return correlate(sampled, b, xs[0], xs[1], ys[0], ys[1], n);
    }

    /** Samples A at the place of each pixel of B inside A, bilinearly, with the column weights computed once. */
    static void sample(double[] a, int n, double[] m, int[] xs, int[] ys, double[] sampled) {
        int[] x0 = new int[n];
        double[] fx = new double[n];
        for (int x = xs[0]; x < xs[1]; x++) {
            double px = Math.max(0, Math.min(n - 1, position(n, m[0], m[2], x)));
            x0[x] = Math.min((int) px, n - 2);
            fx[x] = px - x0[x];
        }
        for (int y = ys[0]; y < ys[1]; y++) {
            double py = Math.max(0, Math.min(n - 1, position(n, m[1], m[3], y)));
            int y0 = Math.min((int) py, n - 2);
            double fy = py - y0;
            int top = y0 * n;
            int bottom = top + n;
            for (int x = xs[0]; x < xs[1]; x++) {
                int i = x0[x];
                double f = fx[x];
                double upper = a[top + i] + (a[top + i + 1] - a[top + i]) * f;
                double lower = a[bottom + i] + (a[bottom + i + 1] - a[bottom + i]) * f;
                sampled[y * n + x] = upper + (lower - upper) * fy;
            }
        }
    }

    /** Pearson correlation of x and y over the rectangle [x0, x1) x [y0, y1) of rows of the given width. */
    static double correlate(double[] x, double[] y, int x0, int x1, int y0, int y1, int width) {
        double sx = 0;
        double sy = 0;
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        int count = 0;
        for (int r = y0; r < y1; r++) {
            for (int c = x0; c < x1; c++) {
                int i = r * width + c;
                double p = x[i];
                double q = y[i];
                sx += p;
                sy += q;
                sxy += p * q;
                sxx += p * p;
                syy += q * q;
                count++;
            }
        }
        if (count == 0) {
            return -1;
        }
        double cov = sxy - sx * sy / count;
        double vx = sxx - sx * sx / count;
        double vy = syy - sy * sy / count;
        return vx > 1e-9 && vy > 1e-9 ? cov / Math.sqrt(vx * vy) : -1;
    }

    /**
     * The correlation of the fine detail of B and of A at margins m: each minus its mean over a
     * {@value #DETAIL_BOX}-pixel box, over the overlap shrunk so that every box lies inside it.
     * Cells cut from neighbouring wafers share shading and busbars, which dominate a plain
     * correlation. The detail (grain, cracks, finger marks) is what a copy keeps and a neighbour does not.
     */
    static double detailCorrelation(double[] a, double[] b, int n, double[] m) {
        int[] xs = insideRange(n, m[0], m[2]);
        int[] ys = insideRange(n, m[1], m[3]);
        double[] sampled = new double[n * n];
        sample(a, n, m, xs, ys, sampled);
        int r = DETAIL_BOX / 2;
        int[] ix = {xs[0] + r, xs[1] - r};
        int[] iy = {ys[0] + r, ys[1] - r};
        double[] da = detail(sampled, n, xs, ys);
        double[] db = detail(b, n, xs, ys);
        return correlate(da, db, ix[0], ix[1], iy[0], iy[1], n);
    }

    /** Subtracts from each pixel the mean of its box, for the pixels whose box lies inside the rectangle. */
    static double[] detail(double[] g, int n, int[] xs, int[] ys) {
        return detail(g, n, xs, ys, DETAIL_BOX);
    }

    static double[] detail(double[] g, int n, int[] xs, int[] ys, int box) {
        int r = box / 2;
        double[] rowSums = new double[n * n];
        for (int y = ys[0]; y < ys[1]; y++) {
            for (int x = xs[0] + r; x < xs[1] - r; x++) {
                double s = 0;
                for (int d = -r; d <= r; d++) {
                    s += g[y * n + x + d];
                }
                rowSums[y * n + x] = s;
            }
        }
        double[] out = new double[n * n];
        double area = box * box;
        for (int y = ys[0] + r; y < ys[1] - r; y++) {
            for (int x = xs[0] + r; x < xs[1] - r; x++) {
                double s = 0;
                for (int d = -r; d <= r; d++) {
                    s += rowSums[(y + d) * n + x];
                }
                out[y * n + x] = g[y * n + x] - s / area;
            }
        }
        return out;
    }

    /** The score that {@link #QUICK_REJECT} is compared with, for measurements. */
    static double quickScore(byte[] a, byte[] b) {
        int n = DescriptorMath.THUMB;
        double[] ga = toDoubles(a);
        double[] gb = toDoubles(b);
        double[] h = alignProfile(columnMeans(ga, n), columnMeans(gb, n));
        double[] v = alignProfile(rowMeans(ga, n), rowMeans(gb, n));
        int half = n / 2;
        return correlation(halve(ga, n), halve(gb, n), half, new double[] {h[0], v[0], h[1], v[1]},
                new double[half * half]);
    }

    private static double[] halve(double[] g, int n) {
        int h = n / 2;
        double[] out = new double[h * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < h; x++) {
                out[y * h + x] = (g[2 * y * n + 2 * x] + g[2 * y * n + 2 * x + 1] + g[(2 * y + 1) * n + 2 * x]
                        + g[(2 * y + 1) * n + 2 * x + 1]) / 4;
            }
        }
        return out;
    }

    private static double[] columnMeans(double[] g, int n) {
        double[] out = new double[n];
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                out[x] += g[y * n + x] / n;
            }
        }
        return out;
    }

    private static double[] rowMeans(double[] g, int n) {
        double[] out = new double[n];
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                out[y] += g[y * n + x] / n;
            }
        }
        return out;
    }

    static double[] toDoubles(byte[] bytes) {
        double[] out = new double[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = bytes[i] & 0xff;
        }
        return out;
    }
}
