package dev.dsv.synthetic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dsv.imaging.GrayImage;
import dev.dsv.testing.ElpvLabels;
import dev.dsv.testing.Images;
import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Profiles built from half of the real ELPV images of a cell type, checked against the other
 * half and against images made implausible on purpose.
 */
class PlausibilityProfileTest {
    private static final Map<String, List<GrayImage>> PROFILE_IMAGES = new TreeMap<>();
    private static final Map<String, List<GrayImage>> HELD_OUT = new TreeMap<>();
    private static final Map<String, PlausibilityProfile> PROFILES = new TreeMap<>();

    @BeforeAll
    static void buildProfiles() {
        List<ElpvLabels.Row> rows = new ArrayList<>(ElpvLabels.read().values());
        Map<String, List<ElpvLabels.Row>> byType = rows.stream()
                .collect(Collectors.groupingBy(ElpvLabels.Row::cellType, TreeMap::new, Collectors.toList()));
        byType.forEach((type, list) -> {
            List<GrayImage> decoded = list.parallelStream().map(r -> read(r.file())).toList();
            List<GrayImage> profile = new ArrayList<>();
            List<GrayImage> held = new ArrayList<>();
            for (int i = 0; i < decoded.size(); i++) {
                (i % 2 == 0 ? profile : held).add(decoded.get(i));
            }
            PROFILE_IMAGES.put(type, profile);
            HELD_OUT.put(type, held);
            List<ImageMeasures> measures = profile.parallelStream().map(g -> ImageMeasures.of(g, List.of())).toList();
            PROFILES.put(type, PlausibilityProfile.build(type, measures, new TreeSet<>(List.of(8))));
        });
    }

    private static GrayImage read(String file) {
        try {
            return GrayImage.read(Images.ELPV.resolve("images").resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> failing(String cellType, GrayImage image) {
        return PROFILES.get(cellType).failures(ImageMeasures.of(image, List.of())).stream()
                .map(PlausibilityProfile.Failure::measure).toList();
    }

    private static double passRate(String profileType, List<GrayImage> images) {
        long passed = images.parallelStream().filter(g -> failing(profileType, g).isEmpty()).count();
        return (double) passed / images.size();
    }

    @Test
    void heldOutRealImagesPass() {
        for (String type : List.of("mono", "poly")) {
            double rate = passRate(type, HELD_OUT.get(type));
            Map<String, Integer> byMeasure = new TreeMap<>();
            HELD_OUT.get(type).forEach(g -> failing(type, g).forEach(f -> byMeasure.merge(f, 1, Integer::sum)));
            System.out.println(type + " held-out failures " + byMeasure);
            System.out.printf("held-out %s pass rate %.3f (%d images)%n", type, rate, HELD_OUT.get(type).size());
            assertTrue(rate >= 0.90, type + " held-out pass rate " + rate);
        }
    }

    @Test
    void flatGrayFailsContrast() {
        GrayImage flat = new GrayImage(300, 300, 8, filled(300 * 300, 0.5f));
        List<String> failures = failing("mono", flat);
        assertTrue(failures.contains(PlausibilityProfile.CONTRAST_RMS), failures.toString());
        assertTrue(failures.contains(PlausibilityProfile.CONTRAST_PERCENTILE), failures.toString());
    }

    @Test
    void saturatedFailsHistogram() {
        int failedHistogram = 0;
        List<GrayImage> sources = HELD_OUT.get("mono").subList(0, 20);
        for (GrayImage real : sources) {
            float[] s = real.samples().clone();
            for (int i = 0; i < s.length; i++) {
                s[i] = Math.min(1f, s[i] * 10f);
            }
            if (failing("mono", new GrayImage(real.width(), real.height(), 8, s)).contains(PlausibilityProfile.HISTOGRAM)) {
                failedHistogram++;
            }
        }
        assertEquals(sources.size(), failedHistogram);
    }

    @Test
    void blurredFailsEdgeSharpness() {
        int failedEdges = 0;
        List<GrayImage> sources = HELD_OUT.get("mono").subList(0, 20);
        for (GrayImage real : sources) {
            GrayImage blurred = blur(blur(blur(real, 8), 8), 8);
            List<String> failures = failing("mono", blurred);
            if (failures.contains(PlausibilityProfile.EDGE_SHARPNESS)) {
                failedEdges++;
            }
        }
        assertEquals(sources.size(), failedEdges);
    }

    @Test
    void noiseFailsGradients() {
        SplittableRandom random = new SplittableRandom(7);
        float[] s = new float[300 * 300];
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) random.nextDouble();
        }
        List<String> failures = failing("mono", new GrayImage(300, 300, 8, s));
        assertTrue(failures.contains(PlausibilityProfile.GRADIENT_MEDIAN), failures.toString());
        assertTrue(failures.contains(PlausibilityProfile.EDGE_SHARPNESS), failures.toString());
    }

    @Test
    void polyAgainstMonoFailsGradientMedian() {
        List<GrayImage> poly = HELD_OUT.get("poly");
        Map<String, Integer> failuresByMeasure = new TreeMap<>();
        int failed = 0;
        for (GrayImage image : poly) {
            List<String> failures = failing("mono", image);
            if (!failures.isEmpty()) {
                failed++;
            }
            failures.forEach(f -> failuresByMeasure.merge(f, 1, Integer::sum));
        }
        double monoRate = passRate("mono", HELD_OUT.get("mono"));
        double polyRate = 1.0 - (double) failed / poly.size();
        System.out.printf("poly against mono: pass rate %.3f, failures %s%n", polyRate, failuresByMeasure);
        assertTrue(polyRate < monoRate - 0.3, "poly " + polyRate + " mono " + monoRate);
        String most = failuresByMeasure.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        assertEquals(PlausibilityProfile.GRADIENT_MEDIAN, most);
    }

    @Test
    void sixteenBitCopyScoresLikeEightBit() throws IOException {
        GrayImage real = HELD_OUT.get("mono").get(0);
        BufferedImage wide = new BufferedImage(real.width(), real.height(), BufferedImage.TYPE_USHORT_GRAY);
        WritableRaster raster = wide.getRaster();
        for (int y = 0; y < real.height(); y++) {
            for (int x = 0; x < real.width(); x++) {
                raster.setSample(x, y, 0, Math.round(real.get(x, y) * 65535f));
            }
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(wide, "png", png);
        GrayImage decoded = GrayImage.decode(png.toByteArray());

        assertEquals(16, decoded.bitDepth());
        ImageMeasures eight = ImageMeasures.of(real, List.of());
        ImageMeasures sixteen = ImageMeasures.of(decoded, List.of());
        assertEquals(eight.contrastRms(), sixteen.contrastRms(), 1e-4);
        assertEquals(eight.edgeSharpness(), sixteen.edgeSharpness(), 1e-3);
        assertEquals(failing("mono", real), failing("mono", decoded));
    }

    @Test
    void profileSurvivesEncoding() {
        PlausibilityProfile profile = PROFILES.get("mono");
        PlausibilityProfile read = PlausibilityProfile.fromCanonical("mono", profile.toCanonical());
        for (GrayImage image : HELD_OUT.get("mono").subList(0, 30)) {
            ImageMeasures m = ImageMeasures.of(image, List.of());
            assertEquals(profile.failures(m).size(), read.failures(m).size());
        }
    }

    private static float[] filled(int n, float value) {
        float[] s = new float[n];
        java.util.Arrays.fill(s, value);
        return s;
    }

    /** Box blur with the given radius, clamped at the borders. */
    static GrayImage blur(GrayImage image, int radius) {
        int w = image.width();
        int h = image.height();
        float[] in = image.samples();
        float[] tmp = new float[in.length];
        float[] out = new float[in.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float sum = 0;
                for (int k = -radius; k <= radius; k++) {
                    sum += in[y * w + Math.max(0, Math.min(w - 1, x + k))];
                }
                tmp[y * w + x] = sum / (2 * radius + 1);
            }
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float sum = 0;
                for (int k = -radius; k <= radius; k++) {
                    sum += tmp[Math.max(0, Math.min(h - 1, y + k)) * w + x];
                }
                out[y * w + x] = sum / (2 * radius + 1);
            }
        }
        return new GrayImage(w, h, image.bitDepth(), out);
    }
}
