package dev.dsv.quality;

import java.util.Map;

/**
 * Krippendorff's alpha for nominal data with any number of raters and missing values
 * (Krippendorff 2011, "Computing Krippendorff's alpha-reliability"), accumulated one unit at a
 * time from the coincidence matrix: only units with two or more values are pairable, and for
 * nominal data alpha = 1 - (n - 1) (n - sum_c o_cc) / (n^2 - sum_c n_c^2), where n counts the
 * pairable values, n_c those in category c and o_cc the coincidences within c. The interval
 * comes from a Poisson bootstrap over units.
 */
public final class KrippendorffAlpha {
    private final PoissonBootstrap bootstrap;
    private final ReplicateSums categories;
    /** Per row (0 = sample, r = replicate): pairable values n and the diagonal sum of o_cc. */
    private final double[] pairable;
    private final double[] diagonal;
    private long unitCount;
    private long valueCount;

    public KrippendorffAlpha(PoissonBootstrap bootstrap) {
        this.bootstrap = bootstrap;
        int rows = bootstrap.replicates() + 1;
        this.categories = new ReplicateSums(bootstrap.replicates());
        this.pairable = new double[rows];
        this.diagonal = new double[rows];
    }

    /** Adds one unit: the number of values per category. Units with fewer than two values are unpairable. */
    public void addUnit(long unitKey, Map<String, Integer> counts) {
        addUnit(counts, bootstrap.weights(unitKey));
    }

    /** Adds one unit with bootstrap weights already drawn for its key. */
    public void addUnit(Map<String, Integer> counts, int[] weights) {
        int m = 0;
        for (int c : counts.values()) {
            m += c;
        }
        if (m < 2) {
            return;
        }
        unitCount++;
        valueCount += m;
        double within = 0;
        for (int c : counts.values()) {
            within += (double) c * (c - 1) / (m - 1);
        }
        int[] index = new int[counts.size()];
        int[] count = new int[counts.size()];
        int k = 0;
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            index[k] = categories.indexOf(e.getKey());
            count[k] = e.getValue();
            k++;
        }
        for (int row = 0; row < pairable.length; row++) {
            int w = row == 0 ? 1 : weights[row - 1];
            if (w == 0) {
                continue;
            }
            pairable[row] += (double) w * m;
            diagonal[row] += w * within;
            for (int i = 0; i < k; i++) {
                categories.add(row, index[i], (double) w * count[i]);
            }
        }
    }

    private double alpha(int row) {
        double n = pairable[row];
        if (n < 2) {
            return Double.NaN;
        }
        double expected = n * n - categories.sumOfSquares(row);
        if (expected <= 1e-9) {
            return Double.NaN;
        }
        return 1 - (n - 1) * (n - diagonal[row]) / expected;
    }

    /** Returns alpha over the units added, with its bootstrap interval. */
    public Estimate estimate() {
        double value = alpha(0);
        if (Double.isNaN(value)) {
            return Estimate.undefined(unitCount, valueCount, Estimate.BOOTSTRAP);
        }
        double[] replicateValues = new double[pairable.length - 1];
        for (int r = 1; r < pairable.length; r++) {
            replicateValues[r - 1] = alpha(r);
        }
        double[] ci = PoissonBootstrap.percentiles(replicateValues);
        return new Estimate(value, unitCount, valueCount, ci == null ? null : ci[0], ci == null ? null : ci[1],
                null, Estimate.BOOTSTRAP);
    }
}
