package dev.dsv.leakage;

import dev.dsv.model.ObjectId;

/**
 * Two blobs in different splits that the fine check confirmed as copies: the correlation of their
 * detail after alignment, the Hamming distance that proposed them, and the margins of B inside A.
 */
public record NearPair(ObjectId blobA, ObjectId blobB, double correlation, int hashDistance,
                       Similarity.Match alignment) {
}
