package dev.dsv.imaging;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decoded grayscale image with samples normalized to [0, 1] (sample / (2^bitDepth - 1)), stored
 * row by row. Decodes 8- and 16-bit grayscale PNG, JPEG, TIFF and BMP (gray palette) through
 * javax.imageio. Color input is converted to luma (ITU-R BT.601 weights) and reported as 8-bit.
 *
 * <p>Instances are immutable: {@link #samples()} returns the backing array, which callers must
 * not change.
 */
public final class GrayImage {
    /**
     * Maximum pixel count {@link #decode} accepts, checked from the image header before any pixel
     * memory is allocated. Decoding keeps the reader's raster (1 to 8 bytes a pixel) and the float
     * samples (4 bytes a pixel), so 64 megapixels (8000 x 8000) can take up to about 770 MB of heap.
     * Without a limit a file of a few hundred bytes that declares 60000 x 60000 pixels would make
     * the decoder try to allocate gigabytes.
     */
    public static final long MAX_PIXELS = 64_000_000L;

    private final int width;
    private final int height;
    private final int bitDepth;
    private final float[] samples;

    /**
     * Wraps samples in row-major order.
     *
     * @param bitDepth bits per sample of the source (8 or 16); the samples are already normalized
     * @throws IllegalArgumentException if the sizes do not match or a size is not positive
     */
    public GrayImage(int width, int height, int bitDepth, float[] samples) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if ((long) width * height != samples.length) {
            throw new IllegalArgumentException("expected " + (long) width * height + " samples for "
                    + width + "x" + height + ", got " + samples.length);
        }
        this.width = width;
        this.height = height;
        this.bitDepth = bitDepth;
        this.samples = samples;
    }

    /**
     * Decodes an image file. Reads the whole file into memory first, which avoids the disk cache
     * that {@link ImageIO#read(java.io.File)} may use.
     *
     * @throws ImageDecodeException if no installed reader accepts the bytes or decoding fails
     * @throws IOException if the file cannot be read
     */
    public static GrayImage read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        try {
            return decode(bytes);
        } catch (ImageTooLargeException e) {
            throw new ImageTooLargeException(file + ": " + e.getMessage(), e);
        } catch (ImageDecodeException e) {
            throw new ImageDecodeException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Decodes image bytes in any format that javax.imageio reads.
     *
     * @throws ImageTooLargeException if the header declares more than {@link #MAX_PIXELS} pixels
     * @throws ImageDecodeException if no installed reader accepts the bytes or decoding fails
     */
    public static GrayImage decode(byte[] bytes) throws ImageDecodeException {
        BufferedImage image;
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new ImageDecodeException("no image reader recognizes the data (" + bytes.length + " bytes)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int width = reader.getWidth(0);
                int height = reader.getHeight(0);
                if ((long) width * height > MAX_PIXELS) {
                    throw new ImageTooLargeException(width, height, MAX_PIXELS);
                }
                image = reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (ImageDecodeException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // Readers throw IIOException and, for corrupt data, also runtime exceptions such as
            // ArrayIndexOutOfBoundsException.
            throw new ImageDecodeException("failed to decode image: " + e, e);
        }
        return fromBufferedImage(image);
    }

    /** Converts a decoded image; gray rasters keep their bit depth, other rasters become 8-bit luma. */
    public static GrayImage fromBufferedImage(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        Raster raster = image.getRaster();
        ColorModel model = image.getColorModel();
        float[] out = new float[w * h];
        if (model instanceof IndexColorModel palette) {
            float[] lut = new float[palette.getMapSize()];
            for (int i = 0; i < lut.length; i++) {
                lut[i] = luma(palette.getRed(i), palette.getGreen(i), palette.getBlue(i)) / 255f;
            }
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) {
                    out[y * w + x] = lut[row[x]];
                }
            }
            return new GrayImage(w, h, 8, out);
        }
        if (raster.getNumBands() == 1) {
            int bits = raster.getSampleModel().getSampleSize(0);
            float scale = 1f / (float) ((1L << bits) - 1);
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                int base = y * w;
                for (int x = 0; x < w; x++) {
                    out[base + x] = row[x] * scale;
                }
            }
            return new GrayImage(w, h, bits, out);
        }
        int[] argb = new int[w];
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, argb, 0, w);
            for (int x = 0; x < w; x++) {
                int p = argb[x];
                out[y * w + x] = luma((p >> 16) & 0xFF, (p >> 8) & 0xFF, p & 0xFF) / 255f;
            }
        }
        return new GrayImage(w, h, 8, out);
    }

    private static float luma(int red, int green, int blue) {
        return 0.299f * red + 0.587f * green + 0.114f * blue;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Bits per sample of the decoded source: 8 or 16 for the formats dsv accepts. */
    public int bitDepth() {
        return bitDepth;
    }

    /** Row-major samples in [0, 1]; the backing array, not a copy. */
    public float[] samples() {
        return samples;
    }

    public float get(int x, int y) {
        return samples[y * width + x];
    }

    /**
     * Resizes by area averaging: each output pixel is the mean of the source area it covers,
     * with partly covered source pixels weighted by the covered fraction. Works for shrinking
     * and enlarging, in two separable passes (O(width * height) each).
     *
     * @throws IllegalArgumentException if a target size is not positive
     */
    public GrayImage resize(int targetWidth, int targetHeight) {
        if (targetWidth <= 0 || targetHeight <= 0) {
            throw new IllegalArgumentException("target size must be positive, got "
                    + targetWidth + "x" + targetHeight);
        }
        if (targetWidth == width && targetHeight == height) {
            return this;
        }
        AxisWeights horizontal = AxisWeights.of(width, targetWidth);
        AxisWeights vertical = AxisWeights.of(height, targetHeight);
        float[] rows = new float[targetWidth * height];
        for (int y = 0; y < height; y++) {
            horizontal.apply(samples, y * width, 1, rows, y * targetWidth, 1);
        }
        float[] out = new float[targetWidth * targetHeight];
        vertical.applyToRows(rows, targetWidth, out);
        return new GrayImage(targetWidth, targetHeight, bitDepth, out);
    }

    /**
     * Resizes so that the longer side is at most {@code maxSide}, keeping the aspect ratio;
     * returns this image if it already fits.
     */
    public GrayImage fitWithin(int maxSide) {
        int longer = Math.max(width, height);
        if (longer <= maxSide) {
            return this;
        }
        double factor = (double) maxSide / longer;
        int w = Math.max(1, (int) Math.round(width * factor));
        int h = Math.max(1, (int) Math.round(height * factor));
        return resize(w, h);
    }

    /** Source index ranges and coverage weights of each output position along one axis. */
    private record AxisWeights(int[] first, int[] count, float[] weights, int stride) {
        static AxisWeights of(int sourceSize, int targetSize) {
            double scale = (double) sourceSize / targetSize;
            int maxCount = (int) Math.ceil(scale) + 2;
            int[] first = new int[targetSize];
            int[] count = new int[targetSize];
            float[] weights = new float[targetSize * maxCount];
            for (int t = 0; t < targetSize; t++) {
                double start = t * scale;
                double end = Math.min(sourceSize, (t + 1) * scale);
                int lo = (int) Math.floor(start);
                int hi = Math.min(sourceSize, (int) Math.ceil(end));
                first[t] = lo;
                count[t] = hi - lo;
                double span = end - start;
                for (int s = lo; s < hi; s++) {
                    double covered = Math.min(end, s + 1) - Math.max(start, s);
                    weights[t * maxCount + (s - lo)] = (float) (covered / span);
                }
            }
            return new AxisWeights(first, count, weights, maxCount);
        }

        void apply(float[] in, int inOffset, int inStep, float[] out, int outOffset, int outStep) {
            for (int t = 0; t < first.length; t++) {
                float sum = 0f;
                int base = t * stride;
                int s0 = first[t];
                for (int k = 0; k < count[t]; k++) {
                    sum += weights[base + k] * in[inOffset + (s0 + k) * inStep];
                }
                out[outOffset + t * outStep] = sum;
            }
        }

        /**
         * Applies the weights along the vertical axis to whole rows of the given length at once:
         * the same sums in the same order as {@link #apply} per column, but reading memory row by row.
         */
        void applyToRows(float[] in, int rowLength, float[] out) {
            for (int t = 0; t < first.length; t++) {
                int target = t * rowLength;
                int base = t * stride;
                for (int k = 0; k < count[t]; k++) {
                    float w = weights[base + k];
                    int source = (first[t] + k) * rowLength;
                    for (int x = 0; x < rowLength; x++) {
                        out[target + x] += w * in[source + x];
                    }
                }
            }
        }
    }
}
