package dev.dsv.synthetic;

import dev.dsv.imaging.GrayImage;
import java.util.List;

/**
 * The plausibility measures of one image, computed on a working copy whose longer side is at
 * most {@link #WORKING_SIDE} pixels (area averaged), so that images of different resolutions
 * compare. Samples are normalized to [0, 1], so 8- and 16-bit images compare too.
 *
 * @param histogram intensity histogram with {@link #BINS} bins over [0, 1], summing to 1
 * @param contrastRms standard deviation of the intensities (RMS contrast)
 * @param contrastPercentile 95th minus 5th percentile of the intensities
 * @param edgeSharpness 90th percentile of the Sobel gradient magnitude over the whole image, in
 *     intensity per working-copy pixel
 * @param gradientMedian median Sobel gradient magnitude over the whole image
 * @param defectEdgeSharpness 90th percentile of the gradient magnitude inside the defect regions, or
 *     NaN when the image has no regions (or they cover too few pixels)
 */
public record ImageMeasures(double[] histogram, double contrastRms, double contrastPercentile, double edgeSharpness,
                            double gradientMedian, double defectEdgeSharpness) {
    /** Histogram bins over [0, 1]. */
    public static final int BINS = 64;
    /** Longer side of the working copy the measures are computed on. */
    public static final int WORKING_SIDE = 256;
    /** Percentiles come from a histogram this fine (resolution 1/1024 of the range). */
    private static final int FINE_BINS = 1024;
    /** Region pixels (on the working copy) below which edge sharpness falls back to the whole image. */
    private static final int MIN_REGION_PIXELS = 64;

    /**
     * Computes the measures. {@code regions} are boxes {x, y, width, height} in the source image's
     * pixels (polygons given as their bounding boxes); empty means none.
     */
    public static ImageMeasures of(GrayImage source, List<double[]> regions) {
        GrayImage image = source.fitWithin(WORKING_SIDE);
        float[] s = image.samples();
        int n = s.length;

        double[] histogram = new double[BINS];
        int[] fine = new int[FINE_BINS];
        double sum = 0;
        double sumSquares = 0;
        for (float v : s) {
            float c = Math.min(1f, Math.max(0f, v));
            histogram[Math.min(BINS - 1, (int) (c * BINS))]++;
            fine[Math.min(FINE_BINS - 1, (int) (c * FINE_BINS))]++;
            sum += c;
            sumSquares += (double) c * c;
        }
        for (int i = 0; i < BINS; i++) {
            histogram[i] /= n;
        }
        double mean = sum / n;
        double rms = Math.sqrt(Math.max(0, sumSquares / n - mean * mean));
        double percentile = percentile(fine, n, 0.95) - percentile(fine, n, 0.05);

        int[] whole = gradientHistogram(image, null);
        boolean[] mask = regionMask(image, source, regions);
        double defectEdge = Double.NaN;
        if (mask != null) {
            defectEdge = gradientPercentile(gradientHistogram(image, mask), 0.90);
        }
        return new ImageMeasures(histogram, rms, percentile, gradientPercentile(whole, 0.90),
                gradientPercentile(whole, 0.50), defectEdge);
    }

    /** Returns the value below which {@code q} of the samples lie, at the fine histogram's resolution. */
    private static double percentile(int[] fine, int n, double q) {
        long target = (long) Math.ceil(q * n);
        long seen = 0;
        for (int i = 0; i < fine.length; i++) {
            seen += fine[i];
            if (seen >= target) {
                return (i + 0.5) / fine.length;
            }
        }
        return 1.0;
    }

    /**
     * Marks the working-copy pixels inside the regions, or returns null when there are no regions
     * or they cover fewer than {@link #MIN_REGION_PIXELS} pixels.
     */
    private static boolean[] regionMask(GrayImage image, GrayImage source, List<double[]> regions) {
        if (regions.isEmpty()) {
            return null;
        }
        double sx = (double) image.width() / source.width();
        double sy = (double) image.height() / source.height();
        boolean[] mask = new boolean[image.width() * image.height()];
        int marked = 0;
        for (double[] box : regions) {
            int x0 = clamp((int) Math.floor(box[0] * sx), image.width());
            int y0 = clamp((int) Math.floor(box[1] * sy), image.height());
            int x1 = clamp((int) Math.ceil((box[0] + box[2]) * sx), image.width());
            int y1 = clamp((int) Math.ceil((box[1] + box[3]) * sy), image.height());
            for (int y = y0; y < y1; y++) {
                for (int x = x0; x < x1; x++) {
                    int i = y * image.width() + x;
                    if (!mask[i]) {
                        mask[i] = true;
                        marked++;
                    }
                }
            }
        }
        return marked >= MIN_REGION_PIXELS ? mask : null;
    }

    private static int clamp(int v, int size) {
        return Math.max(0, Math.min(size, v));
    }

    /** Gradient magnitudes lie in [0, sqrt(2) / 2] for samples in [0, 1], so these bins over [0, 0.75] cover them. */
    private static final int GRADIENT_BINS = 4096;
    private static final double GRADIENT_TOP = 0.75;

    /**
     * Counts the Sobel gradient magnitudes of the interior pixels (inside the mask when one is
     * given) in {@link #GRADIENT_BINS} bins. The Sobel sums are divided by 8, so a magnitude is
     * in intensity per pixel of the working copy.
     */
    private static int[] gradientHistogram(GrayImage image, boolean[] mask) {
        int w = image.width();
        int h = image.height();
        int[] counts = new int[GRADIENT_BINS];
        float[] s = image.samples();
        for (int y = 1; y < h - 1; y++) {
            for (int x = 1; x < w - 1; x++) {
                int i = y * w + x;
                if (mask != null && !mask[i]) {
                    continue;
                }
                float a = s[i - w - 1];
                float b = s[i - w];
                float c = s[i - w + 1];
                float d = s[i - 1];
                float f = s[i + 1];
                float g = s[i + w - 1];
                float k = s[i + w];
                float m = s[i + w + 1];
                double gx = (c + 2 * f + m) - (a + 2 * d + g);
                double gy = (g + 2 * k + m) - (a + 2 * b + c);
                double magnitude = Math.sqrt(gx * gx + gy * gy) / 8.0;
                counts[Math.min(GRADIENT_BINS - 1, (int) (magnitude / GRADIENT_TOP * GRADIENT_BINS))]++;
            }
        }
        return counts;
    }

    /** Returns the {@code q} percentile of a gradient histogram (bin centre), or 0 for an empty one. */
    private static double gradientPercentile(int[] counts, double q) {
        long n = 0;
        for (int c : counts) {
            n += c;
        }
        if (n == 0) {
            return 0;
        }
        long target = Math.max(1, (long) Math.ceil(q * n));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= target) {
                return (i + 0.5) / counts.length * GRADIENT_TOP;
            }
        }
        return GRADIENT_TOP;
    }
}
