package dev.dsv.quality;

import java.util.Map;

/**
 * Fleiss' kappa (Fleiss 1971, "Measuring nominal scale agreement among many raters",
 * Psychological Bulletin 76(5)) over units rated by two or more raters, accumulated one unit at
 * a time. A unit's agreement P_i uses its own number of values n_i, units count with equal
 * weight, and category shares pool all values; with a constant n this is Fleiss (1971). The
 * interval comes from a Poisson bootstrap over units.
 */
public final class FleissKappa {
    private final PoissonBootstrap bootstrap;
    private final ReplicateSums categories;
    /** Per row (0 = sample, r = replicate): weighted units, weighted sum of P_i, weighted values. */
    private final double[] units;
    private final double[] agreement;
    private final double[] values;
    private long unitCount;
    private long valueCount;

    public FleissKappa(PoissonBootstrap bootstrap) {
        this.bootstrap = bootstrap;
        int rows = bootstrap.replicates() + 1;
        this.categories = new ReplicateSums(bootstrap.replicates());
        this.units = new double[rows];
        this.agreement = new double[rows];
        this.values = new double[rows];
    }

    /** Adds one unit: the number of raters per category. Units with fewer than two values are ignored. */
    public void addUnit(long unitKey, Map<String, Integer> counts) {
        addUnit(counts, bootstrap.weights(unitKey));
    }

    /** Adds one unit with bootstrap weights already drawn for its key. */
    public void addUnit(Map<String, Integer> counts, int[] weights) {
        int m = 0;
        long pairsAgreeing = 0;
        for (int c : counts.values()) {
            m += c;
            pairsAgreeing += (long) c * (c - 1);
        }
        if (m < 2) {
            return;
        }
        unitCount++;
        valueCount += m;
        double p = (double) pairsAgreeing / ((long) m * (m - 1));
        int[] index = new int[counts.size()];
        int[] count = new int[counts.size()];
        int k = 0;
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            index[k] = categories.indexOf(e.getKey());
            count[k] = e.getValue();
            k++;
        }
        for (int row = 0; row < units.length; row++) {
            int w = row == 0 ? 1 : weights[row - 1];
            if (w == 0) {
                continue;
            }
            units[row] += w;
            agreement[row] += w * p;
            values[row] += (double) w * m;
            for (int i = 0; i < k; i++) {
                categories.add(row, index[i], (double) w * count[i]);
            }
        }
    }

    private double kappa(int row) {
        if (units[row] == 0) {
            return Double.NaN;
        }
        double observed = agreement[row] / units[row];
        double chance = categories.sumOfSquaredShares(row, values[row]);
        if (chance >= 1 - 1e-12) {
            return Double.NaN;
        }
        return (observed - chance) / (1 - chance);
    }

    /** Returns kappa over the units added, with its bootstrap interval. */
    public Estimate estimate() {
        double value = kappa(0);
        if (Double.isNaN(value)) {
            return Estimate.undefined(unitCount, valueCount, Estimate.BOOTSTRAP);
        }
        double[] replicateValues = new double[units.length - 1];
        for (int r = 1; r < units.length; r++) {
            replicateValues[r - 1] = kappa(r);
        }
        double[] ci = PoissonBootstrap.percentiles(replicateValues);
        return new Estimate(value, unitCount, valueCount, ci == null ? null : ci[0], ci == null ? null : ci[1],
                null, Estimate.BOOTSTRAP);
    }
}
