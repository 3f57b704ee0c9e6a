package dev.dsv.leakage;

/**
 * What the leakage check keeps of one blob: its size, the perceptual hash of the whole frame, the
 * hashes of {@link DescriptorMath#VARIANTS} crops of it, and a small thumbnail for the fine check.
 * Derived from the blob alone, so it is computed once per blob and stored in the descriptor cache.
 */
public record Descriptor(int width, int height, long hash, long[] cropHashes, byte[] thumbnail) {
    /** Bumped whenever the computation changes; stored descriptors of another version are recomputed. */
    public static final int VERSION = 2;
}
