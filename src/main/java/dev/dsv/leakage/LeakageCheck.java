package dev.dsv.leakage;

import dev.dsv.model.ImageEntry;
import dev.dsv.model.ObjectId;
import dev.dsv.service.Progress;
import dev.dsv.store.ObjectStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The leakage checks of one snapshot, shared by {@code dsv leakage} and the promote gates: one walk
 * for exact duplicates, group and generator leakage, and the descriptor-based near-duplicate check.
 */
public final class LeakageCheck {
    /** One side of a near-duplicate pair: the blob, a dataset path holding it and that path's split. */
    public record Side(ObjectId blob, String path, String split) {
    }

    /** A confirmed near-duplicate pair, as reported; {@code residual} is null when the pair had no second stage. */
    public record NearDuplicate(double correlation, Double residual, int hashDistance, Side a, Side b,
                                Similarity.Match alignment) {
    }

    /** The near-duplicate part of a report. */
    public record NearReport(double minCorrelation, double minResidual, List<NearDuplicate> pairs,
                             DescriptorBatch.Result descriptors, NearDuplicateFinder.Result search) {
    }

    private LeakageCheck() {
    }

    /** Walks the images given by {@code images} once and returns the collected occurrences. */
    public static LeakageScan scan(Consumer<BiConsumer<String, ImageEntry>> images, List<String> splits, GroupKey key) {
        LeakageScan scan = new LeakageScan(splits, key);
        images.accept(scan::accept);
        return scan;
    }

    /**
     * Computes the missing descriptors of the scanned blobs (on all cores), then finds the
     * near-duplicate pairs across splits.
     */
    public static NearReport near(LeakageScan scan, ObjectStore store, Path dsvDir, double minCorrelation,
                                  double minResidual, Progress progress) {
        int threads = Runtime.getRuntime().availableProcessors();
        try (DescriptorCache cache = DescriptorCache.open(dsvDir)) {
            DescriptorBatch.Result descriptors = new DescriptorBatch(store, cache, threads)
                    .ensure(scan.blobs().keySet(), progress);
            Map<ObjectId, Integer> masks = new HashMap<>();
            Map<ObjectId, String> cellTypes = new HashMap<>();
            scan.blobs().forEach((id, o) -> {
                masks.put(id, o.mask());
                if (o.cellType() != null) {
                    cellTypes.put(id, o.cellType());
                }
            });
            NearDuplicateFinder.Result found = new NearDuplicateFinder(cache, threads)
                    .find(masks, cellTypes, minCorrelation, minResidual);
            List<NearDuplicate> pairs = new ArrayList<>();
            for (NearPair p : found.pairs()) {
                LeakageScan.Occurrences a = scan.blobs().get(p.blobA());
                LeakageScan.Occurrences b = scan.blobs().get(p.blobB());
                int[] sides = differentSplits(a.mask(), b.mask());
                pairs.add(new NearDuplicate(p.correlation(), p.residual(), p.hashDistance(),
                        new Side(p.blobA(), a.firstPath(sides[0]), scan.splits().get(sides[0])),
                        new Side(p.blobB(), b.firstPath(sides[1]), scan.splits().get(sides[1])), p.alignment()));
            }
            return new NearReport(minCorrelation, minResidual, pairs, descriptors, found);
        }
    }

    /** The first split positions s of mask a and t of mask b with s different from t. */
    static int[] differentSplits(int a, int b) {
        for (int s = 0; s < 32; s++) {
            if ((a & 1 << s) == 0) {
                continue;
            }
            for (int t = 0; t < 32; t++) {
                if ((b & 1 << t) != 0 && s != t) {
                    return new int[] {s, t};
                }
            }
        }
        throw new IllegalArgumentException("no two different splits in masks " + a + " and " + b);
    }
}
