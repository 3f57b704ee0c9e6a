package dev.dsv.leakage;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * What the cells of one type have in common, so that the second stage of the near-duplicate check
 * can compare only what is left. Cells of one make share the outline, the corners, the busbars and
 * the finger pattern, and vary together in a few ways (exposure gradients, busbar count, shading).
 * So two distinct cells correlate almost as well as a copy. The basis is the mean of the
 * standardised thumbnails of a sample of the type and its leading principal directions. The
 * residual of a thumbnail is what a least-squares fit of a constant, the mean and those directions
 * leaves; a copy keeps its residual (cracks, grain, dark spots, finger breaks) and a distinct cell
 * has its own.
 *
 * <p>The directions come from block power iteration from a seeded start, so the same sample gives
 * the same basis. The fit runs over the overlap of an aligned pair only, from the Gram matrix of
 * the whole grid minus the pixels outside the overlap.
 */
public final class ResidualBasis {
    /** A type with fewer described images than this gets no basis: its pairs stand on the fine check. */
    public static final int MIN_IMAGES = 256;
    /** Thumbnails the basis is computed from at most, spread evenly over the type's blobs in id order. */
    public static final int SAMPLE = 1500;
    /** Principal directions removed at most; fewer for small samples (one per {@value #IMAGES_PER_DIRECTION} images). */
    public static final int MAX_DIRECTIONS = 64;
    static final int IMAGES_PER_DIRECTION = 8;
    private static final int ITERATIONS = 10;
    private static final int BLOCKS = 16;
    private static final int N = DescriptorMath.THUMB;
    private static final int PIXELS = N * N;

    /** Fit terms by pixel: term 0 is the constant, 1 the mean, then the directions. */
    private final double[][] terms;
    private final double[][] fullGram;
    private final int images;

    private ResidualBasis(double[][] terms, int images) {
        this.terms = terms;
        this.images = images;
        int t = terms.length;
        fullGram = new double[t][t];
        for (int a = 0; a < t; a++) {
            for (int b = a; b < t; b++) {
                double s = dot(terms[a], terms[b], PIXELS);
                fullGram[a][b] = s;
                fullGram[b][a] = s;
            }
        }
    }

    /** Returns the number of thumbnails the basis was computed from. */
    public int images() {
        return images;
    }

    /** Returns the number of principal directions it removes. */
    public int directions() {
        return terms.length - 2;
    }

    /**
     * Computes the basis from the given thumbnails (side {@link DescriptorMath#THUMB}), all of one
     * cell type; the caller has sampled them. Needs at least {@value #MIN_IMAGES}.
     */
    public static ResidualBasis of(List<byte[]> thumbnails) {
        if (thumbnails.size() < MIN_IMAGES) {
            throw new IllegalArgumentException("a basis needs " + MIN_IMAGES + " images, got " + thumbnails.size());
        }
        return of(thumbnails, Math.min(MAX_DIRECTIONS, thumbnails.size() / IMAGES_PER_DIRECTION));
    }

    /** Computes a basis with the given number of principal directions (0 removes only the mean cell). */
    static ResidualBasis of(List<byte[]> thumbnails, int directions) {
        int count = thumbnails.size();
        double[][] x = new double[count][];
        IntStream.range(0, count).parallel().forEach(i -> x[i] = standardise(Similarity.toDoubles(thumbnails.get(i))));
        double[] mean = new double[PIXELS];
        for (double[] row : x) {
            for (int p = 0; p < PIXELS; p++) {
                mean[p] += row[p];
            }
        }
        for (int p = 0; p < PIXELS; p++) {
            mean[p] /= count;
        }
        for (double[] row : x) {
            for (int p = 0; p < PIXELS; p++) {
                row[p] -= mean[p];
            }
        }
        int k = directions;
        double[][] q = new double[k][PIXELS];
        SplittableRandom random = new SplittableRandom(0x5eed);
        for (double[] v : q) {
            for (int p = 0; p < PIXELS; p++) {
                v[p] = random.nextDouble() - 0.5;
            }
        }
        orthonormalise(q);
        for (int it = 0; it < ITERATIONS; it++) {
            q = covarianceTimes(x, q);
            orthonormalise(q);
        }
        double[][] terms = new double[k + 2][];
        terms[0] = new double[PIXELS];
        Arrays.fill(terms[0], 1);
        terms[1] = mean;
        System.arraycopy(q, 0, terms, 2, k);
        return new ResidualBasis(terms, count);
    }

    /**
     * Returns the correlation of the residuals of two thumbnails over their overlap, with B aligned
     * inside A by the margins of {@code match} (as {@link Similarity#compare} found them).
     */
    public double score(byte[] a, byte[] b, Similarity.Match match) {
        double[] m = {match.left(), match.top(), match.right(), match.bottom()};
        int[] xs = Similarity.insideRange(N, m[0], m[2]);
        int[] ys = Similarity.insideRange(N, m[1], m[3]);
        double[] sampled = new double[PIXELS];
        Similarity.sample(Similarity.toDoubles(a), N, m, xs, ys, sampled);
        double[] gb = Similarity.toDoubles(b);
        int width = xs[1] - xs[0];
        int[] inside = new int[width * (ys[1] - ys[0])];
        boolean[] in = new boolean[PIXELS];
        int c = 0;
        for (int y = ys[0]; y < ys[1]; y++) {
            for (int x = xs[0]; x < xs[1]; x++) {
                inside[c++] = y * N + x;
                in[y * N + x] = true;
            }
        }
        double[][] gram = overlapGram(in);
        double[] ra = residual(sampled, inside, gram);
        double[] rb = residual(gb, inside, gram);
        return correlation(ra, rb);
    }

    private double[][] overlapGram(boolean[] in) {
        int t = terms.length;
        double[][] g = new double[t][];
        for (int a = 0; a < t; a++) {
            g[a] = fullGram[a].clone();
        }
        double[] v = new double[t];
        for (int p = 0; p < PIXELS; p++) {
            if (in[p]) {
                continue;
            }
            for (int a = 0; a < t; a++) {
                v[a] = terms[a][p];
            }
            for (int a = 0; a < t; a++) {
                double va = v[a];
                double[] row = g[a];
                for (int b = 0; b < t; b++) {
                    row[b] -= va * v[b];
                }
            }
        }
        return g;
    }

    /** Standardises g over the pixels and subtracts its least-squares fit on the terms. */
    private double[] residual(double[] g, int[] pixels, double[][] gram) {
        int count = pixels.length;
        double[] x = new double[count];
        for (int i = 0; i < count; i++) {
            x[i] = g[pixels[i]];
        }
        x = standardise(x);
        int t = terms.length;
        double[] rhs = new double[t];
        for (int a = 0; a < t; a++) {
            double[] term = terms[a];
            double s = 0;
            for (int i = 0; i < count; i++) {
                s += term[pixels[i]] * x[i];
            }
            rhs[a] = s;
        }
        double[] coefficients = solve(gram, rhs);
        for (int a = 0; a < t; a++) {
            double[] term = terms[a];
            double f = coefficients[a];
            for (int i = 0; i < count; i++) {
                x[i] -= f * term[pixels[i]];
            }
        }
        return x;
    }

    /** Solves the symmetric system by Gaussian elimination with partial pivoting; a zero pivot drops its term. */
    static double[] solve(double[][] matrix, double[] rhs) {
        int n = rhs.length;
        double[][] m = new double[n][];
        for (int i = 0; i < n; i++) {
            m[i] = Arrays.copyOf(matrix[i], n + 1);
            m[i][n] = rhs[i];
        }
        for (int col = 0; col < n; col++) {
            int pivot = col;
            for (int r = col + 1; r < n; r++) {
                if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) {
                    pivot = r;
                }
            }
            double[] swap = m[col];
            m[col] = m[pivot];
            m[pivot] = swap;
            if (Math.abs(m[col][col]) < 1e-9) {
                continue;
            }
            for (int r = col + 1; r < n; r++) {
                double f = m[r][col] / m[col][col];
                if (f != 0) {
                    for (int j = col; j <= n; j++) {
                        m[r][j] -= f * m[col][j];
                    }
                }
            }
        }
        double[] out = new double[n];
        for (int i = n - 1; i >= 0; i--) {
            if (Math.abs(m[i][i]) < 1e-9) {
                continue;
            }
            double s = m[i][n];
            for (int j = i + 1; j < n; j++) {
                s -= m[i][j] * out[j];
            }
            out[i] = s / m[i][i];
        }
        return out;
    }

    /**
     * Returns C q for each row of q, with C = X^T X. Fixed blocks of images are summed in parallel
     * and then added in block order, so the result does not depend on the number of cores.
     */
    private static double[][] covarianceTimes(double[][] x, double[][] q) {
        int k = q.length;
        int blocks = BLOCKS;
        double[][][] parts = IntStream.range(0, blocks).parallel().mapToObj(block -> {
            double[][] part = new double[k][PIXELS];
            for (int i = block; i < x.length; i += blocks) {
                double[] row = x[i];
                for (int c = 0; c < k; c++) {
                    double d = dot(row, q[c], PIXELS);
                    double[] target = part[c];
                    for (int p = 0; p < PIXELS; p++) {
                        target[p] += d * row[p];
                    }
                }
            }
            return part;
        }).toArray(double[][][]::new);
        double[][] sum = parts[0];
        for (int b = 1; b < blocks; b++) {
            for (int c = 0; c < k; c++) {
                for (int p = 0; p < PIXELS; p++) {
                    sum[c][p] += parts[b][c][p];
                }
            }
        }
        return sum;
    }

    private static void orthonormalise(double[][] q) {
        for (int i = 0; i < q.length; i++) {
            for (int j = 0; j < i; j++) {
                double d = dot(q[i], q[j], PIXELS);
                for (int p = 0; p < PIXELS; p++) {
                    q[i][p] -= d * q[j][p];
                }
            }
            double norm = Math.sqrt(dot(q[i], q[i], PIXELS));
            for (int p = 0; p < PIXELS; p++) {
                q[i][p] = norm == 0 ? 0 : q[i][p] / norm;
            }
        }
    }

    private static double dot(double[] a, double[] b, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    static double[] standardise(double[] g) {
        double sum = 0;
        for (double v : g) {
            sum += v;
        }
        double mean = sum / g.length;
        double squares = 0;
        for (double v : g) {
            squares += (v - mean) * (v - mean);
        }
        double sd = Math.sqrt(squares / g.length);
        double[] out = new double[g.length];
        for (int i = 0; i < g.length; i++) {
            out[i] = sd == 0 ? 0 : (g[i] - mean) / sd;
        }
        return out;
    }

    private static double correlation(double[] x, double[] y) {
        double sx = 0;
        double sy = 0;
        for (int i = 0; i < x.length; i++) {
            sx += x[i];
            sy += y[i];
        }
        double mx = sx / x.length;
        double my = sy / y.length;
        double sxx = 0;
        double syy = 0;
        double sxy = 0;
        for (int i = 0; i < x.length; i++) {
            double p = x[i] - mx;
            double q = y[i] - my;
            sxx += p * p;
            syy += q * q;
            sxy += p * q;
        }
        return sxx == 0 || syy == 0 ? 0 : sxy / Math.sqrt(sxx * syy);
    }
}
