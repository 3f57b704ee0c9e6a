package dev.dsv.leakage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dsv.imaging.GrayImage;
import dev.dsv.testing.Images;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class DescriptorMathTest {
    /**
     * The separable computation in describe() against the direct one: resample each crop of the
     * 128x128 grid to 32x32, then hash it. Rounding may flip a coefficient that sits on the median,
     * so a hash may differ by a bit or two, never more.
     */
    @Test
    void separableHashesMatchDirect() throws Exception {
        List<Path> files;
        try (var s = Files.list(Images.ELPV.resolve("images"))) {
            files = s.sorted().limit(40).toList();
        }
        int bitsDiffering = 0;
        for (Path file : files) {
            GrayImage image = GrayImage.decode(Files.readAllBytes(file));
            Descriptor d = DescriptorMath.describe(image);
            double[] base = grid(image);
            long whole = DescriptorMath.hash(DescriptorMath.resample(base, 128, 0, 0, 0, 0, 32));
            assertEquals(0, Long.bitCount(whole ^ d.hash()), file + " whole frame");
            for (int i = 0; i < DescriptorMath.VARIANTS.length; i++) {
                double[] v = DescriptorMath.VARIANTS[i];
                long direct = DescriptorMath.hash(DescriptorMath.resample(base, 128, v[0], v[1], v[2], v[3], 32));
                int differing = Long.bitCount(direct ^ d.cropHashes()[i]);
                assertTrue(differing <= 2, file + " crop " + i + ": " + differing + " bits");
                bitsDiffering += differing;
            }
        }
        assertTrue(bitsDiffering <= files.size(), "bits differing over all crops: " + bitsDiffering);
    }

    private static double[] grid(GrayImage image) {
        float[] reduced = image.resize(128, 128).samples();
        double[] out = new double[reduced.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = reduced[i];
        }
        return out;
    }
}
