package dev.dsv.jmh;

import dev.dsv.imaging.GrayImage;
import dev.dsv.leakage.Descriptor;
import dev.dsv.leakage.DescriptorMath;
import dev.dsv.leakage.Similarity;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The leakage descriptor of one 300 x 300 8-bit image (the size of an ELPV cell image): resize,
 * the DCT hash of the whole image and of its 81 crops, and the thumbnail; and the fine check of
 * two thumbnails that the near-duplicate search runs on each candidate pair. The pixels are
 * random (samples normalized to 0..1), which does not change the work: no step depends on the
 * pixel values.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DescriptorBench {
    private GrayImage image;
    private byte[] thumbnail;
    private byte[] otherThumbnail;

    @Setup
    public void setUp() {
        image = randomImage(1);
        thumbnail = DescriptorMath.describe(image).thumbnail();
        otherThumbnail = DescriptorMath.describe(randomImage(2)).thumbnail();
    }

    private static GrayImage randomImage(long seed) {
        Random random = new Random(seed);
        float[] samples = new float[300 * 300];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = random.nextFloat();
        }
        return new GrayImage(300, 300, 8, samples);
    }

    @Benchmark
    public Descriptor describe() {
        return DescriptorMath.describe(image);
    }

    @Benchmark
    public Similarity.Match compareThumbnails() {
        return Similarity.compare(thumbnail, otherThumbnail);
    }
}
