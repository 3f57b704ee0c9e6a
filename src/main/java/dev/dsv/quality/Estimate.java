package dev.dsv.quality;

/**
 * An agreement coefficient with the number of units it rests on and a 95% confidence interval.
 * {@code value} is null when the coefficient is undefined (every value in one category, so the
 * chance agreement is 1); the bounds are null when no interval could be computed.
 *
 * @param n shared units: items rated by both raters (Cohen), units with two or more values
 *          (Fleiss, alpha)
 * @param values pairable values (alpha), or the number of ratings counted (Cohen: 2n)
 * @param standardError the asymptotic standard error where the method has one, else null
 * @param interval how the interval was computed: {@link #ASYMPTOTIC} or {@link #BOOTSTRAP}
 */
public record Estimate(Double value, long n, long values, Double low, Double high, Double standardError,
                       String interval) {
    /** Interval from the large-sample standard error: value +- 1.96 SE. */
    public static final String ASYMPTOTIC = "asymptotic";
    /** Interval from the percentiles of a seeded Poisson bootstrap over units. */
    public static final String BOOTSTRAP = "bootstrap";

    /** The two-sided 95% normal quantile. */
    static final double Z95 = 1.959963984540054;

    /** Returns an estimate without a value, for a group with no usable units. */
    static Estimate undefined(long n, long values, String interval) {
        return new Estimate(null, n, values, null, null, null, interval);
    }
}
