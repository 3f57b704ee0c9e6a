package dev.dsv.leakage;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.model.ObjectId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * Finds near-duplicate blobs across splits from stored descriptors, without comparing all pairs.
 * Candidates come from multi-index hashing: the whole-frame hashes go into {@value #BANDS} tables
 * keyed by 16-bit bands, and each blob looks up the bands of its whole-frame hash and of its crop
 * hashes. Each blob keeps its {@value #MAX_CANDIDATES} nearest candidates in another split, and
 * every kept pair is confirmed or dismissed by {@link Similarity}. A confirmed pair whose cell type
 * has a {@link ResidualBasis} (enough described images) must then also pass the second stage: the
 * correlation of what is left after removing what the cells of that type share.
 */
public final class NearDuplicateFinder {
    static final int BANDS = 4;
    private static final int BAND_VALUES = 1 << 16;
    /** Candidates kept per blob, nearest first. */
    public static final int MAX_CANDIDATES = 16;
    /** A candidate whose nearest hash is further than this many bits is dropped. */
    public static final int MAX_DISTANCE = 12;
    /** Entries read per looked-up band value; a fuller bucket is read only this far. */
    static final int MAX_BUCKET = 4096;
    /** Blobs whose crop hashes are read from the cache between two parallel steps. */
    private static final int CHUNK = 8192;

    /**
     * The confirmed pairs (best first) and counts that show how much work and truncation there was.
     * {@code residualBases} gives, per cell type whose pairs had a second stage, the images its basis
     * came from; {@code withoutBasis}, per cell type whose pairs had none, its described images.
     * The empty string stands for images without a cell type.
     */
    public record Result(List<NearPair> pairs, int blobs, int withoutDescriptor, int candidatePairs,
                         int blobsAtCandidateLimit, int truncatedBuckets, Map<String, Integer> residualBases,
                         Map<String, Integer> withoutBasis) {
    }

    private final DescriptorCache cache;
    private final int threads;

    public NearDuplicateFinder(DescriptorCache cache, int threads) {
        this.cache = cache;
        this.threads = Math.max(1, threads);
    }

    /**
     * Checks the given blobs (with the bit set of splits each occurs in) and returns the pairs in
     * different splits whose fine check scores at least {@code minCorrelation} and, where their cell
     * type (from {@code cellTypes}; missing means none) has a basis, whose residual correlation is
     * at least {@code minResidual}.
     */
    public Result find(Map<ObjectId, Integer> splitMasks, Map<ObjectId, String> cellTypes, double minCorrelation,
                       double minResidual) {
        int n = splitMasks.size();
        ObjectId[] ids = splitMasks.keySet().toArray(ObjectId[]::new);
        Arrays.sort(ids);
        Map<ObjectId, Integer> position = new HashMap<>(n * 2);
        int[] masks = new int[n];
        for (int i = 0; i < n; i++) {
            position.put(ids[i], i);
            masks[i] = splitMasks.get(ids[i]);
        }
        long[] hashes = new long[n];
        boolean[] described = new boolean[n];
        cache.forEachHash(false, (blob, hash, crops) -> {
            Integer at = position.get(blob);
            if (at != null) {
                hashes[at] = hash;
                described[at] = true;
            }
        });
        int withoutDescriptor = 0;
        for (boolean d : described) {
            withoutDescriptor += d ? 0 : 1;
        }
        BandTables tables = new BandTables(hashes, described);

        Map<Long, Integer> pairs = new ConcurrentHashMap<>();
        AtomicInteger atLimit = new AtomicInteger();
        AtomicInteger truncated = new AtomicInteger();
        ThreadLocal<int[]> nearest = ThreadLocal.withInitial(() -> {
            int[] a = new int[n];
            Arrays.fill(a, Integer.MAX_VALUE);
            return a;
        });
        List<int[]> chunkBlobs = new ArrayList<>();
        List<long[]> chunkProbes = new ArrayList<>();
        ForkJoinPool pool = new ForkJoinPool(threads);
        try {
            Runnable flush = () -> {
                int size = chunkBlobs.size();
                run(pool, () -> IntStream.range(0, size).parallel().forEach(k -> propose(chunkBlobs.get(k)[0],
                        chunkProbes.get(k), hashes, masks, tables, nearest.get(), pairs, atLimit, truncated)));
                chunkBlobs.clear();
                chunkProbes.clear();
            };
            cache.forEachHash(true, (blob, hash, crops) -> {
                Integer at = position.get(blob);
                if (at == null) {
                    return;
                }
                long[] probes = Arrays.copyOf(crops, crops.length + 1);
                probes[crops.length] = hash;
                chunkBlobs.add(new int[] {at});
                chunkProbes.add(probes);
                if (chunkBlobs.size() == CHUNK) {
                    flush.run();
                }
            });
            flush.run();
            Residuals residuals = new Residuals(ids, described, cellTypes);
            List<NearPair> confirmed = confirm(pool, ids, pairs, minCorrelation, minResidual, residuals);
            return new Result(confirmed, n, withoutDescriptor, pairs.size(), atLimit.get(), truncated.get(),
                    residuals.used(), residuals.withoutBasis());
        } finally {
            pool.shutdownNow();
        }
    }

    private static void run(ForkJoinPool pool, Runnable task) {
        try {
            pool.submit(task).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DsvException(ExitCode.INTERNAL, e, "error.interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new DsvException(ExitCode.INTERNAL, e.getCause(), "error.internal", String.valueOf(e.getCause()));
        }
    }

    /** True when some split of one differs from some split of the other. */
    static boolean crossSplit(int a, int b) {
        return !(a == b && Integer.bitCount(a) == 1);
    }

    /** Looks up the probes of blob i and keeps its nearest candidates as pairs. */
    private static void propose(int i, long[] probes, long[] hashes, int[] masks, BandTables tables, int[] nearest,
                                Map<Long, Integer> pairs, AtomicInteger atLimit, AtomicInteger truncated) {
        // Each (band, value) key is looked up once: the crop hashes of one image share most bands.
        int[] keys = new int[probes.length * BANDS];
        int k = 0;
        for (long probe : probes) {
            for (int band = 0; band < BANDS; band++) {
                keys[k++] = band << 16 | band(probe, band);
            }
        }
        Arrays.sort(keys);
        // Every probe lies within `spread` bits of the whole-frame hash (the last probe), so by the
        // triangle inequality no probe is nearer to a hash than its distance to the whole-frame
        // hash minus the spread: most band collisions are dismissed with one bit count.
        long whole = probes[probes.length - 1];
        int spread = 0;
        for (long probe : probes) {
            spread = Math.max(spread, Long.bitCount(probe ^ whole));
        }
        int[] touched = new int[16];
        int touchedCount = 0;
        for (int q = 0; q < k; q++) {
            if (q > 0 && keys[q] == keys[q - 1]) {
                continue;
            }
            int band = keys[q] >>> 16;
            int value = keys[q] & 0xffff;
            int from = tables.offsets[band][value];
            int to = tables.offsets[band][value + 1];
            if (to - from > MAX_BUCKET) {
                truncated.incrementAndGet();
                to = from + MAX_BUCKET;
            }
            for (int e = from; e < to; e++) {
                int j = tables.entries[band][e];
                if (j == i || nearest[j] != Integer.MAX_VALUE || !crossSplit(masks[i], masks[j])) {
                    continue;
                }
                // The distance is the nearest of all probes, not only the one that found j.
                int d = Long.bitCount(whole ^ hashes[j]);
                if (d - spread <= MAX_DISTANCE) {
                    for (long probe : probes) {
                        d = Math.min(d, Long.bitCount(probe ^ hashes[j]));
                    }
                }
                nearest[j] = d;
                if (touchedCount == touched.length) {
                    touched = Arrays.copyOf(touched, touched.length * 2);
                }
                touched[touchedCount++] = j;
            }
        }
        long[] ranked = new long[touchedCount];
        int kept = 0;
        for (int t = 0; t < touchedCount; t++) {
            int j = touched[t];
            if (nearest[j] <= MAX_DISTANCE) {
                ranked[kept++] = (long) nearest[j] << 32 | j;
            }
            nearest[j] = Integer.MAX_VALUE;
        }
        Arrays.sort(ranked, 0, kept);
        if (kept > MAX_CANDIDATES) {
            atLimit.incrementAndGet();
        }
        for (int t = 0; t < Math.min(kept, MAX_CANDIDATES); t++) {
            int j = (int) ranked[t];
            int d = (int) (ranked[t] >>> 32);
            pairs.merge((long) Math.min(i, j) << 32 | Math.max(i, j), d, Math::min);
        }
    }

    /** Returns the 16-bit band of a hash: bits band, band + 4, band + 8 and so on. */
    static int band(long hash, int band) {
        int v = 0;
        for (int m = 0; m < 16; m++) {
            v |= (int) ((hash >>> (4 * m + band)) & 1L) << m;
        }
        return v;
    }

    /**
     * Runs the fine check on every proposed pair, a chunk of pairs (and their thumbnails) at a time,
     * then the second stage on the pairs that passed it.
     */
    private List<NearPair> confirm(ForkJoinPool pool, ObjectId[] ids, Map<Long, Integer> pairs, double minCorrelation,
                                   double minResidual, Residuals residuals) {
        long[] keys = pairs.keySet().stream().mapToLong(Long::longValue).sorted().toArray();
        List<NearPair> out = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int from = 0; from < keys.length; from += CHUNK) {
            long[] chunk = Arrays.copyOfRange(keys, from, Math.min(keys.length, from + CHUNK));
            Set<ObjectId> needed = new HashSet<>();
            for (long key : chunk) {
                needed.add(ids[(int) (key >>> 32)]);
                needed.add(ids[(int) key]);
            }
            Map<ObjectId, byte[]> thumbs = cache.thumbnails(needed);
            List<NearPair> passed = java.util.Collections.synchronizedList(new ArrayList<>());
            run(pool, () -> Arrays.stream(chunk).parallel().forEach(key -> {
                ObjectId a = ids[(int) (key >>> 32)];
                ObjectId b = ids[(int) key];
                Similarity.Match m = Similarity.compare(thumbs.get(a), thumbs.get(b));
                if (m.correlation() >= minCorrelation) {
                    passed.add(new NearPair(a, b, m.correlation(), null, pairs.get(key), m));
                }
            }));
            for (NearPair p : passed) {
                residuals.prepare(p.blobA(), pool);
            }
            run(pool, () -> passed.parallelStream().forEach(p -> {
                ResidualBasis basis = residuals.basisOf(p.blobA());
                if (basis == null) {
                    out.add(p);
                    return;
                }
                double residual = basis.score(thumbs.get(p.blobA()), thumbs.get(p.blobB()), p.alignment());
                if (residual >= minResidual) {
                    out.add(new NearPair(p.blobA(), p.blobB(), p.correlation(), residual, p.hashDistance(),
                            p.alignment()));
                }
            }));
        }
        List<NearPair> sorted = new ArrayList<>(out);
        sorted.sort(Comparator.comparingDouble(NearPair::rank).reversed()
                .thenComparing(NearPair::blobA).thenComparing(NearPair::blobB));
        return sorted;
    }

    /**
     * The residual bases by cell type, computed when a pair of that type first passes the fine
     * check, from an even sample of the type's described blobs in id order.
     */
    private final class Residuals {
        private final Map<String, List<ObjectId>> byType = new HashMap<>();
        private final Map<ObjectId, String> cellTypes;
        private final Map<String, ResidualBasis> bases = new java.util.concurrent.ConcurrentHashMap<>();
        private final Map<String, Integer> used = new java.util.TreeMap<>();
        private final Map<String, Integer> withoutBasis = new java.util.TreeMap<>();

        Residuals(ObjectId[] ids, boolean[] described, Map<ObjectId, String> cellTypes) {
            this.cellTypes = cellTypes;
            for (int i = 0; i < ids.length; i++) {
                if (described[i]) {
                    byType.computeIfAbsent(typeOf(ids[i]), t -> new ArrayList<>()).add(ids[i]);
                }
            }
        }

        private String typeOf(ObjectId blob) {
            String t = cellTypes.get(blob);
            return t == null ? "" : t;
        }

        /** Computes the basis of the blob's type if that type has enough images and none yet. */
        void prepare(ObjectId blob, ForkJoinPool pool) {
            String type = typeOf(blob);
            if (bases.containsKey(type) || withoutBasis.containsKey(type)) {
                return;
            }
            List<ObjectId> all = byType.getOrDefault(type, List.of());
            if (all.size() < ResidualBasis.MIN_IMAGES) {
                withoutBasis.put(type, all.size());
                return;
            }
            int size = Math.min(ResidualBasis.SAMPLE, all.size());
            List<ObjectId> sample = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                sample.add(all.get((int) ((long) i * all.size() / size)));
            }
            Map<ObjectId, byte[]> thumbs = cache.thumbnails(sample);
            List<byte[]> list = new ArrayList<>(size);
            for (ObjectId id : sample) {
                if (thumbs.get(id) != null) {
                    list.add(thumbs.get(id));
                }
            }
            if (list.size() < ResidualBasis.MIN_IMAGES) {
                withoutBasis.put(type, list.size());
                return;
            }
            ResidualBasis[] computed = new ResidualBasis[1];
            run(pool, () -> computed[0] = ResidualBasis.of(list));
            bases.put(type, computed[0]);
            used.put(type, computed[0].images());
        }

        /** The basis of the blob's type, or null when that type has too few images. */
        ResidualBasis basisOf(ObjectId blob) {
            return bases.get(typeOf(blob));
        }

        Map<String, Integer> used() {
            return used;
        }

        Map<String, Integer> withoutBasis() {
            return withoutBasis;
        }
    }

    /** One table per band: blob positions sorted by band value, with the offset of each value. */
    static final class BandTables {
        final int[][] offsets = new int[BANDS][];
        final int[][] entries = new int[BANDS][];

        BandTables(long[] hashes, boolean[] present) {
            for (int band = 0; band < BANDS; band++) {
                int[] counts = new int[BAND_VALUES + 1];
                int total = 0;
                for (int i = 0; i < hashes.length; i++) {
                    if (present[i]) {
                        counts[band(hashes[i], band) + 1]++;
                        total++;
                    }
                }
                for (int v = 0; v < BAND_VALUES; v++) {
                    counts[v + 1] += counts[v];
                }
                int[] fill = Arrays.copyOf(counts, BAND_VALUES);
                int[] list = new int[total];
                for (int i = 0; i < hashes.length; i++) {
                    if (present[i]) {
                        list[fill[band(hashes[i], band)]++] = i;
                    }
                }
                offsets[band] = counts;
                entries[band] = list;
            }
        }
    }
}
