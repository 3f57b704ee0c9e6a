package dev.dsv.quality;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Cohen's kappa for two raters over nominal categories, accumulated one shared item at a time.
 * The confidence interval uses the large-sample variance of Fleiss, Cohen and Everitt (1969,
 * "Large sample standard errors of kappa and weighted kappa", Psychological Bulletin 72(5)),
 * the standard error that SAS PROC FREQ reports as ASE.
 */
public final class CohenKappa {
    private final Map<String, Integer> index = new HashMap<>();
    private final List<String> categories = new ArrayList<>();
    private long[][] counts = new long[4][4];
    private long n;

    /** Adds one item that rater A put in category {@code a} and rater B in {@code b}. */
    public void add(String a, String b) {
        add(a, b, 1);
    }

    /** Adds {@code count} items with the same pair of categories. */
    public void add(String a, String b, long count) {
        int i = indexOf(a);
        int j = indexOf(b);
        counts[i][j] += count;
        n += count;
    }

    private int indexOf(String category) {
        Integer i = index.get(category);
        if (i != null) {
            return i;
        }
        int next = categories.size();
        index.put(category, next);
        categories.add(category);
        if (next >= counts.length) {
            long[][] grown = new long[counts.length * 2][counts.length * 2];
            for (int r = 0; r < counts.length; r++) {
                System.arraycopy(counts[r], 0, grown[r], 0, counts.length);
            }
            counts = grown;
        }
        return next;
    }

    /** Returns the number of shared items added. */
    public long items() {
        return n;
    }

    /** Returns the share of items on which both raters chose the same category. */
    public double observedAgreement() {
        if (n == 0) {
            return Double.NaN;
        }
        long same = 0;
        for (int i = 0; i < categories.size(); i++) {
            same += counts[i][i];
        }
        return (double) same / n;
    }

    /** Returns kappa with its asymptotic standard error and 95% interval. */
    public Estimate estimate() {
        int k = categories.size();
        if (n == 0) {
            return Estimate.undefined(0, 0, Estimate.ASYMPTOTIC);
        }
        double[] rows = new double[k];
        double[] cols = new double[k];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                double p = (double) counts[i][j] / n;
                rows[i] += p;
                cols[j] += p;
            }
        }
        double po = observedAgreement();
        double pe = 0;
        for (int i = 0; i < k; i++) {
            pe += rows[i] * cols[i];
        }
        if (pe >= 1 - 1e-12) {
            return Estimate.undefined(n, 2 * n, Estimate.ASYMPTOTIC);
        }
        double kappa = (po - pe) / (1 - pe);

        // Fleiss, Cohen and Everitt (1969), equation (13): the variance of kappa-hat when kappa != 0.
        double diagonal = 0;
        double offDiagonal = 0;
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                double p = (double) counts[i][j] / n;
                if (i == j) {
                    double t = 1 - (rows[i] + cols[i]) * (1 - kappa);
                    diagonal += p * t * t;
                } else {
                    double t = cols[i] + rows[j];
                    offDiagonal += p * t * t;
                }
            }
        }
        double last = kappa - pe * (1 - kappa);
        double variance = (diagonal + (1 - kappa) * (1 - kappa) * offDiagonal - last * last)
                / (n * (1 - pe) * (1 - pe));
        double se = Math.sqrt(Math.max(0, variance));
        return new Estimate(kappa, n, 2 * n, kappa - Estimate.Z95 * se, kappa + Estimate.Z95 * se, se,
                Estimate.ASYMPTOTIC);
    }
}
