package dev.dsv.quality;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-category sums for the full sample (row 0) and for each bootstrap replicate (rows 1..B).
 * Categories get an index when first seen and every row grows with them.
 */
final class ReplicateSums {
    private final Map<String, Integer> index = new HashMap<>();
    private final List<String> categories = new ArrayList<>();
    private double[][] sums;

    ReplicateSums(int replicates) {
        sums = new double[replicates + 1][4];
    }

    int indexOf(String category) {
        Integer i = index.get(category);
        if (i != null) {
            return i;
        }
        int next = categories.size();
        index.put(category, next);
        categories.add(category);
        if (next >= sums[0].length) {
            for (int r = 0; r < sums.length; r++) {
                sums[r] = java.util.Arrays.copyOf(sums[r], sums[r].length * 2);
            }
        }
        return next;
    }

    void add(int row, int category, double amount) {
        sums[row][category] += amount;
    }

    /** Returns the sum over categories of the squared share of each category in a row. */
    double sumOfSquaredShares(int row, double total) {
        double s = 0;
        for (int c = 0; c < categories.size(); c++) {
            double share = sums[row][c] / total;
            s += share * share;
        }
        return s;
    }

    /** Returns the sum over categories of the squared sums of a row. */
    double sumOfSquares(int row) {
        double s = 0;
        for (int c = 0; c < categories.size(); c++) {
            s += sums[row][c] * sums[row][c];
        }
        return s;
    }

    int rows() {
        return sums.length;
    }
}
