package dev.dsv.ingest;

/**
 * Header facts of an image that passed {@link ImageCheck#check}.
 *
 * @param format container format detected from the magic bytes
 * @param width width in pixels
 * @param height height in pixels, positive also for top-down BMP files
 * @param bitDepth bits per grayscale sample, 8 or 16
 */
public record ImageInfo(ImageFormat format, int width, int height, int bitDepth) {
}
