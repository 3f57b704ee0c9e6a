package dev.dsv.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Cohen's kappa, Fleiss' kappa and Krippendorff's alpha against published worked examples and
 * small cases computed by hand in the comments.
 */
class AgreementStatisticsTest {
    private static final PoissonBootstrap BOOTSTRAP = new PoissonBootstrap(200, 7);

    // ---- Cohen's kappa ----

    @Test
    void cohenHandComputedTwoByTwo() {
        // 50 items. Both say yes on 20, A yes and B no on 5, A no and B yes on 10, both no on 15.
        // p_o = 35/50 = 0.7. A says yes on 25/50 = 0.5, B on 30/50 = 0.6.
        // p_e = 0.5 * 0.6 + 0.5 * 0.4 = 0.5, so kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4.
        CohenKappa k = new CohenKappa();
        k.add("yes", "yes", 20);
        k.add("yes", "no", 5);
        k.add("no", "yes", 10);
        k.add("no", "no", 15);
        Estimate e = k.estimate();
        assertEquals(0.4, e.value(), 1e-12);
        assertEquals(50, e.n());
        assertEquals(0.7, k.observedAgreement(), 1e-12);
    }

    @Test
    void cohenMatchesSasExampleWithStandardError() {
        // The 3 x 3 table [[0,4,1],[0,8,0],[0,1,5]] (rows rater A, columns rater B) with the SAS
        // PROC FREQ results that statsmodels checks in stats/tests/test_inter_rater.py
        // (UnweightedCohens): kappa 0.4842, ASE 0.1380, 95% limits 0.2137 and 0.7547.
        // By hand: n = 19, p_o = 13/19, rows (5, 8, 6)/19, columns (0, 13, 6)/19,
        // p_e = (0 + 104 + 36)/361 = 0.38781, kappa = (0.68421 - 0.38781)/0.61219 = 0.48416.
        int[][] table = {{0, 4, 1}, {0, 8, 0}, {0, 1, 5}};
        String[] names = {"c1", "c2", "c3"};
        CohenKappa k = new CohenKappa();
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                if (table[i][j] > 0) {
                    k.add(names[i], names[j], table[i][j]);
                }
            }
        }
        Estimate e = k.estimate();
        assertEquals(0.4842, e.value(), 5e-5);
        assertEquals(0.1380, e.standardError(), 5e-5);
        assertEquals(0.2137, e.low(), 5e-5);
        assertEquals(0.7547, e.high(), 5e-5);
        assertEquals(19, e.n());
        assertEquals(Estimate.ASYMPTOTIC, e.interval());
    }

    @Test
    void cohenUndefinedWhenOneCategory() {
        // Both raters always say "none": p_e = 1, kappa = 0/0.
        CohenKappa k = new CohenKappa();
        k.add("none", "none", 12);
        Estimate e = k.estimate();
        assertNull(e.value());
        assertEquals(12, e.n());
    }

    @Test
    void cohenPerfectAgreementIsOne() {
        CohenKappa k = new CohenKappa();
        k.add("a", "a", 10);
        k.add("b", "b", 5);
        assertEquals(1.0, k.estimate().value(), 1e-12);
        assertEquals(0.0, k.estimate().standardError(), 1e-12);
    }

    // ---- Fleiss' kappa ----

    /** Turns one row of category counts into the map a unit is added with. */
    private static Map<String, Integer> counts(int... perCategory) {
        Map<String, Integer> m = new TreeMap<>();
        for (int c = 0; c < perCategory.length; c++) {
            if (perCategory[c] > 0) {
                m.put("c" + (c + 1), perCategory[c]);
            }
        }
        return m;
    }

    /** Turns one unit's ratings (category numbers; 0 = missing) into counts per category. */
    private static Map<String, Integer> ratings(int... values) {
        Map<String, Integer> m = new TreeMap<>();
        for (int v : values) {
            if (v != 0) {
                m.merge("v" + v, 1, Integer::sum);
            }
        }
        return m;
    }

    @Test
    void fleissMatchesWikipediaExample() {
        // The worked example of the Wikipedia article "Fleiss' kappa": 10 subjects, 14 raters,
        // 5 categories, kappa = 0.210 (also checked by statsmodels, test_fleiss_kappa).
        int[][] table = {
            {0, 0, 0, 0, 14}, {0, 2, 6, 4, 2}, {0, 0, 3, 5, 6}, {0, 3, 9, 2, 0}, {2, 2, 8, 1, 1},
            {7, 7, 0, 0, 0}, {3, 2, 6, 3, 0}, {2, 5, 3, 2, 2}, {6, 5, 2, 1, 0}, {0, 2, 2, 3, 7}};
        FleissKappa f = new FleissKappa(BOOTSTRAP);
        for (int i = 0; i < table.length; i++) {
            f.addUnit(i, counts(table[i]));
        }
        Estimate e = f.estimate();
        assertEquals(0.210, e.value(), 5e-4);
        assertEquals(10, e.n());
        assertEquals(140, e.values());
    }

    /** Fleiss (1971), table 1: 30 patients, 6 psychiatrists each, 5 diagnoses (as statsmodels lists it). */
    static final int[][] FLEISS_1971 = {
        {4, 4, 4, 4, 4, 4}, {2, 2, 2, 5, 5, 5}, {2, 3, 3, 3, 3, 5}, {5, 5, 5, 5, 5, 5}, {2, 2, 2, 4, 4, 4},
        {1, 1, 3, 3, 3, 3}, {3, 3, 3, 3, 5, 5}, {1, 1, 3, 3, 3, 4}, {1, 1, 4, 4, 4, 4}, {5, 5, 5, 5, 5, 5},
        {1, 4, 4, 4, 4, 4}, {1, 2, 4, 4, 4, 4}, {2, 2, 2, 3, 3, 3}, {1, 4, 4, 4, 4, 4}, {2, 2, 4, 4, 4, 5},
        {3, 3, 3, 3, 3, 5}, {1, 1, 1, 4, 5, 5}, {1, 1, 1, 1, 1, 2}, {2, 2, 4, 4, 4, 4}, {1, 3, 3, 5, 5, 5},
        {5, 5, 5, 5, 5, 5}, {2, 4, 4, 4, 4, 4}, {2, 2, 4, 5, 5, 5}, {1, 1, 4, 4, 4, 4}, {1, 4, 4, 4, 4, 5},
        {2, 2, 2, 2, 2, 4}, {1, 1, 1, 1, 5, 5}, {2, 2, 4, 4, 4, 4}, {1, 3, 3, 3, 3, 3}, {5, 5, 5, 5, 5, 5}};

    @Test
    void fleissMatchesFleiss1971() {
        // Fleiss (1971) reports kappa = .430 for this table; R irr::kappam.fleiss gives 0.4302445
        // (quoted in statsmodels' test_fleiss_kappa_irr).
        FleissKappa f = new FleissKappa(BOOTSTRAP);
        for (int i = 0; i < FLEISS_1971.length; i++) {
            f.addUnit(i, ratings(FLEISS_1971[i]));
        }
        Estimate e = f.estimate();
        assertEquals(0.4302445, e.value(), 1e-7);
        assertEquals(30, e.n());
        assertNotNull(e.low());
        assertTrue(e.low() < e.value() && e.value() < e.high(), e.toString());
    }

    @Test
    void fleissHandComputedVaryingRaters() {
        // Unit 1: a, a (P = 1). Unit 2: a, b, b (pairs agreeing 2*1 = 2 of 3*2 = 6, P = 1/3).
        // Unit 3: c alone (ignored). P-bar = (1 + 1/3)/2 = 2/3.
        // Pooled shares: a 3/5, b 2/5, so P_e = 9/25 + 4/25 = 13/25 = 0.52.
        // kappa = (2/3 - 0.52)/(1 - 0.52) = 0.146667/0.48 = 0.305556.
        FleissKappa f = new FleissKappa(BOOTSTRAP);
        f.addUnit(1, Map.of("a", 2));
        f.addUnit(2, Map.of("a", 1, "b", 2));
        f.addUnit(3, Map.of("c", 1));
        Estimate e = f.estimate();
        assertEquals((2.0 / 3 - 0.52) / 0.48, e.value(), 1e-12);
        assertEquals(2, e.n());
        assertEquals(5, e.values());
    }

    // ---- Krippendorff's alpha ----

    @Test
    void alphaMatchesKrippendorffNominalExampleWithMissingValues() {
        // Krippendorff (2011), "Computing Krippendorff's alpha-reliability", section C (nominal
        // data, any number of observers, missing values): 4 observers, 12 units, alpha = 0.743.
        // The same "C" data is the example of R irr::kripp.alpha. Rows are observers A-D, 0 = missing.
        int[][] observers = {
            {1, 2, 3, 3, 2, 1, 4, 1, 2, 0, 0, 0},
            {1, 2, 3, 3, 2, 2, 4, 1, 2, 5, 0, 3},
            {0, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 0},
            {1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, 0}};
        KrippendorffAlpha a = new KrippendorffAlpha(BOOTSTRAP);
        for (int u = 0; u < 12; u++) {
            a.addUnit(u, ratings(observers[0][u], observers[1][u], observers[2][u], observers[3][u]));
        }
        Estimate e = a.estimate();
        assertEquals(0.743, e.value(), 5e-4);
        // Unit 12 has one value and is unpairable: 11 units, 40 pairable values.
        assertEquals(11, e.n());
        assertEquals(40, e.values());
    }

    @Test
    void alphaMatchesWikipediaNominalExample() {
        // The computational example of the Wikipedia article "Krippendorff's alpha": 3 coders,
        // 15 units, nominal alpha = 0.691358 (the value fast-krippendorff checks in
        // tests/test_krippendorff.py, test_nominal_metric_reliability_data).
        int[][] coders = {
            {0, 0, 0, 0, 0, 3, 4, 1, 2, 1, 1, 3, 3, 0, 3},
            {1, 0, 2, 1, 3, 3, 4, 3, 0, 0, 0, 0, 0, 0, 0},
            {0, 0, 2, 1, 3, 4, 4, 0, 2, 1, 1, 3, 3, 0, 4}};
        KrippendorffAlpha a = new KrippendorffAlpha(BOOTSTRAP);
        for (int u = 0; u < 15; u++) {
            a.addUnit(u, ratings(coders[0][u], coders[1][u], coders[2][u]));
        }
        assertEquals(0.691358, a.estimate().value(), 5e-7);
    }

    @Test
    void alphaHandComputedTwoCoders() {
        // Units (a,a), (a,b), (b,b): n = 6 pairable values, n_a = n_b = 3.
        // o_aa = 2 (unit 1), o_bb = 2 (unit 3), unit 2 has no agreeing pair: sum o_cc = 4.
        // alpha = 1 - (6 - 1)(6 - 4)/(36 - 9 - 9) = 1 - 10/18 = 0.444444.
        KrippendorffAlpha a = new KrippendorffAlpha(BOOTSTRAP);
        a.addUnit(1, Map.of("a", 2));
        a.addUnit(2, Map.of("a", 1, "b", 1));
        a.addUnit(3, Map.of("b", 2));
        assertEquals(1 - 10.0 / 18, a.estimate().value(), 1e-12);
    }

    @Test
    void alphaUndefinedWhenAllAgreeOnOneValue() {
        KrippendorffAlpha a = new KrippendorffAlpha(BOOTSTRAP);
        a.addUnit(1, Map.of("none", 3));
        a.addUnit(2, Map.of("none", 2));
        assertNull(a.estimate().value());
        assertEquals(2, a.estimate().n());
    }

    // ---- bootstrap intervals ----

    @Test
    void bootstrapIgnoresUnitOrder() {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < FLEISS_1971.length; i++) {
            order.add(i);
        }
        KrippendorffAlpha first = new KrippendorffAlpha(BOOTSTRAP);
        for (int i : order) {
            first.addUnit(i, ratings(FLEISS_1971[i]));
        }
        Collections.shuffle(order, new Random(3));
        KrippendorffAlpha second = new KrippendorffAlpha(BOOTSTRAP);
        for (int i : order) {
            second.addUnit(i, ratings(FLEISS_1971[i]));
        }
        assertEquals(first.estimate().low(), second.estimate().low(), 1e-12);
        assertEquals(first.estimate().high(), second.estimate().high(), 1e-12);
    }

    @Test
    void bootstrapIntervalNarrowsWithMoreUnits() {
        // Two raters agreeing on 80% of items between three categories: the interval over 2 000
        // units must be much narrower than over 50 and still contain the estimate.
        Random random = new Random(11);
        KrippendorffAlpha small = new KrippendorffAlpha(BOOTSTRAP);
        KrippendorffAlpha large = new KrippendorffAlpha(BOOTSTRAP);
        String[] cats = {"none", "crack", "defective"};
        for (int u = 0; u < 2000; u++) {
            String a = cats[random.nextInt(3)];
            String b = random.nextDouble() < 0.8 ? a : cats[random.nextInt(3)];
            Map<String, Integer> unit = new TreeMap<>();
            unit.merge(a, 1, Integer::sum);
            unit.merge(b, 1, Integer::sum);
            if (u < 50) {
                small.addUnit(u, unit);
            }
            large.addUnit(u, unit);
        }
        Estimate s = small.estimate();
        Estimate l = large.estimate();
        assertTrue(l.low() <= l.value() && l.value() <= l.high(), l.toString());
        assertTrue(s.low() <= s.value() && s.value() <= s.high(), s.toString());
        assertTrue((l.high() - l.low()) * 3 < s.high() - s.low(), s + " vs " + l);
        // Chance-corrected agreement of "80% copied, else uniform" is about 0.8 + 0.2/3 - 1/3 over 2/3.
        assertEquals(0.8, l.value(), 0.04);
    }

    // ---- categories ----

    @Test
    void categoryIsSortedSetOrNone() {
        assertEquals("none", LabelCategory.of(List.of()));
        assertEquals("black-edge;defective", LabelCategory.of(List.of("defective", "black-edge", "defective")));
        assertEquals("present", LabelCategory.presence("black-edge;defective", "defective"));
        assertEquals("absent", LabelCategory.presence("black-edge;defective", "crack"));
        assertEquals("absent", LabelCategory.presence("none", "defective"));
    }
}
