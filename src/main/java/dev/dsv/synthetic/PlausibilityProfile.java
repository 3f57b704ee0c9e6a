package dev.dsv.synthetic;

import dev.dsv.model.CanonicalJson;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The plausibility reference of one cell type: the mean intensity histogram of its real images and,
 * for each measure, the range that real images fall in. A range is an outlier fence in the manner of Tukey,
 * {@code [Q1 - 2 IQR, Q3 + 2 IQR]} on {@code ln(value + 1e-4)} for the positive, right-skewed
 * contrast and gradient measures, and {@code [0, Q3 + 2 IQR]} on the linear scale for the
 * histogram divergence. See docs/design.md, "Synthetic data and plausibility".
 */
public final class PlausibilityProfile {
    public static final String HISTOGRAM = "histogram";
    public static final String CONTRAST_RMS = "contrast_rms";
    public static final String CONTRAST_PERCENTILE = "contrast_p95_p5";
    public static final String EDGE_SHARPNESS = "edge_sharpness";
    public static final String GRADIENT_MEDIAN = "gradient_median";
    public static final String DEFECT_EDGE_SHARPNESS = "defect_edge_sharpness";
    /** Every measure, in report order. */
    public static final List<String> MEASURES = List.of(HISTOGRAM, CONTRAST_RMS, CONTRAST_PERCENTILE, EDGE_SHARPNESS,
            GRADIENT_MEDIAN, DEFECT_EDGE_SHARPNESS);
    /** Fewer real images of a cell type than this give no profile. */
    public static final int MIN_IMAGES = 20;
    /** Fence factor: 2.0 IQR keeps about 97-98% of held-out real ELPV images (1.5 kept 88% of mono). */
    static final double FENCE = 2.0;
    /** Offset that keeps the logarithm finite for a zero measure (flat images). */
    static final double LOG_OFFSET = 1e-4;
    /** The percentiles kept for the report, besides the range. */
    static final double[] PERCENTILES = {0.05, 0.25, 0.50, 0.75, 0.95};
    private static final MathContext DIGITS = new MathContext(6);

    /** The accepted range of one measure, and the percentiles of the real images' values. */
    public record Range(double low, double high, double[] percentiles) {
        public boolean accepts(double value) {
            return value >= low && value <= high;
        }
    }

    /** A measure outside its range. */
    public record Failure(String measure, double value, double low, double high) {
    }

    private final String cellType;
    private final int images;
    private final SortedSet<Integer> bitDepths;
    private final double[] meanHistogram;
    private final Map<String, Range> ranges;

    PlausibilityProfile(String cellType, int images, SortedSet<Integer> bitDepths, double[] meanHistogram,
                        Map<String, Range> ranges) {
        this.cellType = cellType;
        this.images = images;
        this.bitDepths = bitDepths;
        this.meanHistogram = meanHistogram;
        this.ranges = ranges;
    }

    /**
     * Builds the profile from the measures of real images; requires at least {@link #MIN_IMAGES}.
     *
     * @throws IllegalArgumentException for fewer images
     */
    public static PlausibilityProfile build(String cellType, List<ImageMeasures> real, SortedSet<Integer> bitDepths) {
        if (real.size() < MIN_IMAGES) {
            throw new IllegalArgumentException("a profile needs at least " + MIN_IMAGES + " images, got " + real.size());
        }
        double[] mean = new double[ImageMeasures.BINS];
        for (ImageMeasures m : real) {
            for (int i = 0; i < mean.length; i++) {
                mean[i] += m.histogram()[i];
            }
        }
        for (int i = 0; i < mean.length; i++) {
            mean[i] /= real.size();
        }
        Map<String, Range> ranges = new LinkedHashMap<>();
        double[] divergences = real.stream().mapToDouble(m -> jensenShannon(m.histogram(), mean)).toArray();
        ranges.put(HISTOGRAM, linearUpperRange(divergences));
        ranges.put(CONTRAST_RMS, logRange(real.stream().mapToDouble(ImageMeasures::contrastRms).toArray()));
        ranges.put(CONTRAST_PERCENTILE, logRange(real.stream().mapToDouble(ImageMeasures::contrastPercentile).toArray()));
        ranges.put(EDGE_SHARPNESS, logRange(real.stream().mapToDouble(ImageMeasures::edgeSharpness).toArray()));
        ranges.put(GRADIENT_MEDIAN, logRange(real.stream().mapToDouble(ImageMeasures::gradientMedian).toArray()));
        double[] defectEdges = real.stream().mapToDouble(ImageMeasures::defectEdgeSharpness)
                .filter(v -> !Double.isNaN(v)).toArray();
        if (defectEdges.length >= MIN_IMAGES) {
            ranges.put(DEFECT_EDGE_SHARPNESS, logRange(defectEdges));
        }
        return new PlausibilityProfile(cellType, real.size(), new TreeSet<>(bitDepths), mean, ranges);
    }

    private static Range linearUpperRange(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double q1 = quantile(sorted, 0.25);
        double q3 = quantile(sorted, 0.75);
        return new Range(0, q3 + FENCE * (q3 - q1), percentiles(sorted));
    }

    private static Range logRange(double[] values) {
        double[] logs = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            logs[i] = Math.log(values[i] + LOG_OFFSET);
        }
        Arrays.sort(logs);
        double q1 = quantile(logs, 0.25);
        double q3 = quantile(logs, 0.75);
        double iqr = q3 - q1;
        double low = Math.max(0, Math.exp(q1 - FENCE * iqr) - LOG_OFFSET);
        double high = Math.exp(q3 + FENCE * iqr) - LOG_OFFSET;
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return new Range(low, high, percentiles(sorted));
    }

    private static double[] percentiles(double[] sorted) {
        double[] out = new double[PERCENTILES.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = quantile(sorted, PERCENTILES[i]);
        }
        return out;
    }

    /** Returns the q-quantile of sorted values, interpolating linearly between order statistics. */
    static double quantile(double[] sorted, double q) {
        double position = q * (sorted.length - 1);
        int below = (int) Math.floor(position);
        int above = Math.min(sorted.length - 1, below + 1);
        double fraction = position - below;
        return sorted[below] + fraction * (sorted[above] - sorted[below]);
    }

    /** Returns the Jensen-Shannon divergence of two distributions in bits, between 0 and 1. */
    public static double jensenShannon(double[] p, double[] q) {
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            double m = (p[i] + q[i]) / 2;
            if (p[i] > 0) {
                sum += p[i] * Math.log(p[i] / m);
            }
            if (q[i] > 0) {
                sum += q[i] * Math.log(q[i] / m);
            }
        }
        return Math.max(0, sum / 2 / Math.log(2));
    }

    /** Returns the value of each measure this profile checks, for one image. */
    public Map<String, Double> values(ImageMeasures m) {
        Map<String, Double> out = new LinkedHashMap<>();
        out.put(HISTOGRAM, jensenShannon(m.histogram(), meanHistogram));
        out.put(CONTRAST_RMS, m.contrastRms());
        out.put(CONTRAST_PERCENTILE, m.contrastPercentile());
        out.put(EDGE_SHARPNESS, m.edgeSharpness());
        out.put(GRADIENT_MEDIAN, m.gradientMedian());
        if (ranges.containsKey(DEFECT_EDGE_SHARPNESS) && !Double.isNaN(m.defectEdgeSharpness())) {
            out.put(DEFECT_EDGE_SHARPNESS, m.defectEdgeSharpness());
        }
        return out;
    }

    /** Returns the measures of an image that fall outside their ranges; empty means plausible. */
    public List<Failure> failures(ImageMeasures m) {
        List<Failure> out = new ArrayList<>();
        values(m).forEach((name, value) -> {
            Range r = ranges.get(name);
            if (!r.accepts(value)) {
                out.add(new Failure(name, value, r.low(), r.high()));
            }
        });
        return out;
    }

    public String cellType() {
        return cellType;
    }

    public int images() {
        return images;
    }

    public Map<String, Range> ranges() {
        return ranges;
    }

    /** Encodes the profile for a {@code plausibility-profile} record body, with 6 significant digits. */
    public Map<String, Object> toCanonical() {
        Map<String, Object> m = CanonicalJson.newObject();
        m.put("images", images);
        m.put("bit_depths", new ArrayList<>(bitDepths));
        List<BigDecimal> histogram = new ArrayList<>();
        for (double v : meanHistogram) {
            histogram.add(decimal(v));
        }
        m.put("mean_histogram", histogram);
        Map<String, Object> measures = CanonicalJson.newObject();
        ranges.forEach((name, r) -> {
            Map<String, Object> range = CanonicalJson.newObject();
            range.put("low", decimal(r.low()));
            range.put("high", decimal(r.high()));
            List<BigDecimal> ps = new ArrayList<>();
            for (double p : r.percentiles()) {
                ps.add(decimal(p));
            }
            range.put("p5_p25_p50_p75_p95", ps);
            measures.put(name, range);
        });
        m.put("measures", measures);
        return m;
    }

    /** Reads a profile written by {@link #toCanonical}. */
    @SuppressWarnings("unchecked")
    public static PlausibilityProfile fromCanonical(String cellType, Map<String, Object> m) {
        List<Object> histogram = (List<Object>) m.get("mean_histogram");
        double[] mean = new double[histogram.size()];
        for (int i = 0; i < mean.length; i++) {
            mean[i] = number(histogram.get(i));
        }
        Map<String, Range> ranges = new LinkedHashMap<>();
        Map<String, Object> measures = (Map<String, Object>) m.get("measures");
        for (String name : MEASURES) {
            Map<String, Object> r = (Map<String, Object>) measures.get(name);
            if (r == null) {
                continue;
            }
            List<Object> ps = (List<Object>) r.get("p5_p25_p50_p75_p95");
            double[] percentiles = new double[ps.size()];
            for (int i = 0; i < percentiles.length; i++) {
                percentiles[i] = number(ps.get(i));
            }
            ranges.put(name, new Range(number(r.get("low")), number(r.get("high")), percentiles));
        }
        SortedSet<Integer> depths = new TreeSet<>();
        for (Object d : (List<Object>) m.getOrDefault("bit_depths", List.of())) {
            depths.add((int) number(d));
        }
        return new PlausibilityProfile(cellType, (int) number(m.get("images")), depths, mean, ranges);
    }

    private static double number(Object o) {
        return o instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(o));
    }

    static BigDecimal decimal(double v) {
        return new BigDecimal(v, DIGITS);
    }
}
