package dev.dsv.leakage;

import dev.dsv.model.ObjectId;

/**
 * Two blobs in different splits that the near-duplicate check confirmed as copies: the fine-check
 * correlation after alignment, the residual correlation of the second stage (null when their cell
 * type had no basis), the Hamming distance that proposed them, and the margins of B inside A.
 */
public record NearPair(ObjectId blobA, ObjectId blobB, double correlation, Double residual, int hashDistance,
                       Similarity.Match alignment) {
    /** Returns the score that orders pairs: the residual correlation where there is one, else the fine check's. */
    public double rank() {
        return residual != null ? residual : correlation;
    }
}
