package dev.dsv.leakage;

import dev.dsv.model.ImageEntry;
import dev.dsv.model.ObjectId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One walk over the images of a snapshot, collecting what the leakage checks need: the splits of
 * every blob (exact duplicates, and the blobs the near-duplicate check compares), the splits of
 * every group key value and of every generator. Images without a split take no part. Memory
 * follows the number of distinct blobs, group values and generators.
 */
public final class LeakageScan {
    /** Dataset paths kept per split and finding, as examples. */
    public static final int EXAMPLES = 3;

    /** The splits a blob, a group value or a generator occurs in, with counts and example paths. */
    public static final class Occurrences {
        int mask;
        String cellType;
        final int[] counts;
        final String[][] paths;

        Occurrences(int splits) {
            counts = new int[splits];
            paths = new String[splits][];
        }

        void add(int split, String path) {
            mask |= 1 << split;
            counts[split]++;
            if (paths[split] == null) {
                paths[split] = new String[EXAMPLES];
            }
            int kept = Math.min(counts[split], EXAMPLES);
            if (counts[split] <= EXAMPLES) {
                paths[split][kept - 1] = path;
            }
        }

        /** The bit set of split positions it occurs in. */
        public int mask() {
            return mask;
        }

        public boolean inSeveralSplits() {
            return Integer.bitCount(mask) > 1;
        }

        /** The cell type of the first image seen with it (null for none). */
        public String cellType() {
            return cellType;
        }

        /** The first dataset path seen in the split at this position, or null. */
        public String firstPath(int split) {
            return paths[split] == null ? null : paths[split][0];
        }
    }

    private final List<String> splits;
    private final GroupKey groupKey;
    private final Map<ObjectId, Occurrences> blobs = new HashMap<>();
    private final Map<String, Occurrences> groups = new HashMap<>();
    private final Map<String, Occurrences> generators = new HashMap<>();
    private int images;
    private int imagesInSplits;
    private int unkeyed;

    /** A scan over the given split names (their order is the order of reports); groupKey may be null. */
    public LeakageScan(List<String> splits, GroupKey groupKey) {
        this.splits = List.copyOf(splits);
        this.groupKey = groupKey;
    }

    /** Takes one image of the snapshot. */
    public void accept(String path, ImageEntry entry) {
        images++;
        int split = entry.split() == null ? -1 : splits.indexOf(entry.split());
        if (split < 0) {
            return;
        }
        imagesInSplits++;
        Occurrences blob = blobs.computeIfAbsent(entry.blob(), b -> new Occurrences(splits.size()));
        if (blob.mask == 0) {
            blob.cellType = entry.cellType();
        }
        blob.add(split, path);
        if (groupKey != null) {
            String key = groupKey.keyOf(path, entry);
            if (key == null) {
                unkeyed++;
            } else {
                groups.computeIfAbsent(key, k -> new Occurrences(splits.size())).add(split, path);
            }
        }
        if (entry.generator() != null) {
            generators.computeIfAbsent(entry.generator(), g -> new Occurrences(splits.size())).add(split, path);
        }
    }

    public int images() {
        return images;
    }

    public int imagesInSplits() {
        return imagesInSplits;
    }

    /** Images in a split that have no group key value (zero without a group key). */
    public int unkeyed() {
        return unkeyed;
    }

    public List<String> splits() {
        return splits;
    }

    /** The blobs of images in a split, with their splits. */
    public Map<ObjectId, Occurrences> blobs() {
        return blobs;
    }

    /** Blobs in more than one split, worst (most images) first. */
    public List<SplitFinding> exactDuplicates() {
        Map<String, Occurrences> byHex = new HashMap<>();
        blobs.forEach((id, o) -> {
            if (o.inSeveralSplits()) {
                byHex.put(id.hex(), o);
            }
        });
        return findings(byHex);
    }

    /** Group key values in more than one split, worst first; empty without a group key. */
    public List<SplitFinding> groupLeaks() {
        return findings(groups);
    }

    /** Number of distinct group key values seen. */
    public int groupCount() {
        return groups.size();
    }

    /** Generators with images in more than one split, worst first. */
    public List<SplitFinding> generatorLeaks() {
        return findings(generators);
    }

    private List<SplitFinding> findings(Map<String, Occurrences> all) {
        List<SplitFinding> out = new ArrayList<>();
        all.forEach((key, o) -> {
            if (o.inSeveralSplits()) {
                out.add(finding(key, o));
            }
        });
        out.sort(Comparator.comparingInt((SplitFinding f) -> -minorityImages(f)).thenComparingInt(f -> -f.images())
                .thenComparing(SplitFinding::key));
        return out;
    }

    /** The images outside the finding's largest split: how many would have to move to end the leak. */
    static int minorityImages(SplitFinding f) {
        int max = f.imagesBySplit().values().stream().mapToInt(Integer::intValue).max().orElse(0);
        return f.images() - max;
    }

    private SplitFinding finding(String key, Occurrences o) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        Map<String, List<String>> examples = new LinkedHashMap<>();
        int total = 0;
        for (int s = 0; s < splits.size(); s++) {
            if (o.counts[s] > 0) {
                counts.put(splits.get(s), o.counts[s]);
                List<String> paths = new ArrayList<>();
                for (String p : o.paths[s]) {
                    if (p != null) {
                        paths.add(p);
                    }
                }
                examples.put(splits.get(s), paths);
                total += o.counts[s];
            }
        }
        return new SplitFinding(key, total, counts, examples);
    }
}
