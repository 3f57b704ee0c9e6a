package dev.dsv.synthetic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dsv.imaging.GrayImage;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class ImageMeasuresTest {
    /** A 200 x 200 image: smooth gradient, with a sharp dark stripe at x 100..104 when {@code sharp}. */
    private static GrayImage stripe(boolean sharp, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] s = new float[200 * 200];
        for (int y = 0; y < 200; y++) {
            for (int x = 0; x < 200; x++) {
                float base = 0.4f + 0.2f * x / 200f + (float) random.nextDouble() * 0.02f;
                boolean inStripe = x >= 100 && x < 105;
                s[y * 200 + x] = sharp && inStripe ? 0.05f : base;
            }
        }
        return new GrayImage(200, 200, 8, s);
    }

    @Test
    void regionsMeasuredOnlyWhenGiven() {
        ImageMeasures whole = ImageMeasures.of(stripe(true, 1), List.of());
        ImageMeasures region = ImageMeasures.of(stripe(true, 1), List.<double[]>of(new double[] {90, 50, 25, 100}));

        assertTrue(Double.isNaN(whole.defectEdgeSharpness()));
        assertFalse(Double.isNaN(region.defectEdgeSharpness()));
        assertTrue(region.defectEdgeSharpness() > whole.edgeSharpness(),
                region.defectEdgeSharpness() + " inside the region, " + whole.edgeSharpness() + " overall");
    }

    @Test
    void tinyRegionFallsBack() {
        ImageMeasures m = ImageMeasures.of(stripe(true, 1), List.<double[]>of(new double[] {10, 10, 2, 2}));
        assertTrue(Double.isNaN(m.defectEdgeSharpness()));
    }

    @Test
    void defectEdgeRangeNeedsRegionImages() {
        List<ImageMeasures> real = new ArrayList<>();
        for (int i = 0; i < PlausibilityProfile.MIN_IMAGES; i++) {
            real.add(ImageMeasures.of(stripe(true, i), List.<double[]>of(new double[] {90, 0, 25, 200})));
        }
        PlausibilityProfile profile = PlausibilityProfile.build("mono", real, new TreeSet<>(List.of(8)));
        assertTrue(profile.ranges().containsKey(PlausibilityProfile.DEFECT_EDGE_SHARPNESS));

        ImageMeasures blurredDefect = ImageMeasures.of(stripe(false, 99), List.<double[]>of(new double[] {90, 0, 25, 200}));
        List<String> failures = profile.failures(blurredDefect).stream().map(PlausibilityProfile.Failure::measure).toList();
        assertTrue(failures.contains(PlausibilityProfile.DEFECT_EDGE_SHARPNESS), failures.toString());

        PlausibilityProfile withoutRegions = PlausibilityProfile.build("mono",
                real.stream().map(m -> new ImageMeasures(m.histogram(), m.contrastRms(), m.contrastPercentile(),
                        m.edgeSharpness(), m.gradientMedian(), Double.NaN)).toList(), new TreeSet<>(List.of(8)));
        assertFalse(withoutRegions.ranges().containsKey(PlausibilityProfile.DEFECT_EDGE_SHARPNESS));
    }

    @Test
    void histogramSumsToOne() {
        ImageMeasures m = ImageMeasures.of(stripe(true, 3), List.of());
        double sum = 0;
        for (double v : m.histogram()) {
            sum += v;
        }
        assertEquals(1.0, sum, 1e-9);
        assertEquals(0.0, PlausibilityProfile.jensenShannon(m.histogram(), m.histogram()), 1e-12);
    }
}
