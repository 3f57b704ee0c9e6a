package dev.dsv.quality;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Weights for a seeded Poisson bootstrap over units (Hanley and MacGibbon 2006; Chamandy et al.
 * 2012, "Estimating uncertainty for massive data streams"). Each unit gets an independent
 * Poisson(1) weight per replicate, drawn from a hash of the unit key and the seed, so a stream
 * can be resampled in one pass without keeping its units, and the result does not depend on
 * the order in which units arrive.
 */
public final class PoissonBootstrap {
    /** The number of replicates used by the quality commands. */
    public static final int DEFAULT_REPLICATES = 200;
    /** The seed used by the quality commands, so repeated runs report the same intervals. */
    public static final long DEFAULT_SEED = 0x64737651L;

    private static final double EXP_MINUS_ONE = Math.exp(-1);

    private final int replicates;
    private final long seed;

    public PoissonBootstrap(int replicates, long seed) {
        if (replicates < 1) {
            throw new IllegalArgumentException("replicates must be positive: " + replicates);
        }
        this.replicates = replicates;
        this.seed = seed;
    }

    public int replicates() {
        return replicates;
    }

    /** Returns the weights of one unit, one per replicate. */
    public int[] weights(long unitKey) {
        SplittableRandom random = new SplittableRandom(mix(unitKey ^ seed));
        int[] w = new int[replicates];
        for (int r = 0; r < replicates; r++) {
            w[r] = poisson(random);
        }
        return w;
    }

    private static int poisson(SplittableRandom random) {
        // Inversion: walk the Poisson(1) distribution function until it passes u.
        double u = random.nextDouble();
        int k = 0;
        double p = EXP_MINUS_ONE;
        double cumulative = p;
        while (u > cumulative && k < 30) {
            k++;
            p /= k;
            cumulative += p;
        }
        return k;
    }

    /** The 64-bit finaliser of MurmurHash3, so nearby keys get unrelated streams. */
    static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }

    /**
     * Returns the 2.5% and 97.5% percentiles of the replicate values that are defined, or null
     * when fewer than half of the replicates are.
     */
    static double[] percentiles(double[] values) {
        double[] defined = Arrays.stream(values).filter(v -> !Double.isNaN(v)).sorted().toArray();
        if (defined.length == 0 || defined.length * 2 < values.length) {
            return null;
        }
        return new double[] {quantile(defined, 0.025), quantile(defined, 0.975)};
    }

    private static double quantile(double[] sorted, double q) {
        double position = q * (sorted.length - 1);
        int lower = (int) Math.floor(position);
        int upper = Math.min(sorted.length - 1, lower + 1);
        double fraction = position - lower;
        return sorted[lower] + fraction * (sorted[upper] - sorted[lower]);
    }
}
