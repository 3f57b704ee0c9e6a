package dev.dsv.bench;

import dev.dsv.imaging.GrayImage;
import dev.dsv.leakage.Descriptor;
import dev.dsv.leakage.DescriptorCache;
import dev.dsv.leakage.DescriptorMath;
import dev.dsv.leakage.NearDuplicateFinder;
import dev.dsv.leakage.NearPair;
import dev.dsv.leakage.Similarity;
import dev.dsv.model.ObjectId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * Measures the leakage pieces: decoding and describing the real ELPV images (one core and all
 * cores), the fine check on real thumbnails, and the near-duplicate search over N generated
 * descriptors with planted copies. Run by scripts/bench-leakage.
 */
public final class LeakageBench {
    private LeakageBench() {
    }

    public static void main(String[] args) throws Exception {
        Path elpv = Path.of(args[0]);
        int n = Integer.parseInt(args[1]);
        Path work = Path.of(args[2]);
        List<byte[]> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(elpv)) {
            for (Path p : s.sorted().toList()) {
                files.add(Files.readAllBytes(p));
            }
        }
        System.out.printf("ELPV images in memory: %d%n", files.size());
        decode(files);
        List<Descriptor> real = describe(files);
        fineCheck(real);
        search(real, n, work);
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static void decode(List<byte[]> files) {
        for (int round = 0; round < 2; round++) {
            long t = System.nanoTime();
            files.forEach(LeakageBench::decodeOne);
            double one = seconds(t);
            t = System.nanoTime();
            files.parallelStream().forEach(LeakageBench::decodeOne);
            double all = seconds(t);
            if (round == 1) {
                System.out.printf("decode only:      %.0f images/s on 1 core, %.0f images/s on all %d cores%n",
                        files.size() / one, files.size() / all, Runtime.getRuntime().availableProcessors());
            }
        }
    }

    private static GrayImage decodeOne(byte[] bytes) {
        try {
            return GrayImage.decode(bytes);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<Descriptor> describe(List<byte[]> files) {
        List<Descriptor> out = null;
        for (int round = 0; round < 2; round++) {
            long t = System.nanoTime();
            out = files.parallelStream().map(b -> DescriptorMath.describe(decodeOne(b))).toList();
            double all = seconds(t);
            if (round == 1) {
                System.out.printf("decode+describe:  %.0f images/s on all cores%n", files.size() / all);
            }
        }
        return out;
    }

    private static void fineCheck(List<Descriptor> real) {
        Random random = new Random(1);
        int pairs = 4000;
        int[][] chosen = new int[pairs][];
        for (int i = 0; i < pairs; i++) {
            chosen[i] = new int[] {random.nextInt(real.size()), random.nextInt(real.size())};
        }
        for (int round = 0; round < 2; round++) {
            long t = System.nanoTime();
            IntStream.range(0, pairs).parallel().forEach(i -> Similarity.compare(real.get(chosen[i][0]).thumbnail(),
                    real.get(chosen[i][1]).thumbnail()));
            double all = seconds(t);
            if (round == 1) {
                System.out.printf("fine check:       %.0f pairs/s on all cores%n", pairs / all);
            }
        }
    }

    /**
     * N generated descriptors: random hashes whose crop hashes lie 1 to 3 bits away, random
     * thumbnails; 100 of them are real ELPV descriptors, each planted again in another split with
     * 2 hash bits flipped. Splits 80/10/10.
     */
    private static void search(List<Descriptor> real, int n, Path work) {
        Random random = new Random(7);
        Map<ObjectId, Integer> masks = new HashMap<>();
        long t = System.nanoTime();
        try (DescriptorCache cache = DescriptorCache.open(work)) {
            Map<ObjectId, Descriptor> batch = new HashMap<>();
            for (int i = 0; i < n; i++) {
                Descriptor d;
                int mask;
                if (i < 200) {
                    Descriptor base = real.get(i / 2 * 13);
                    long hash = i % 2 == 0 ? base.hash() : base.hash() ^ (1L << 5) ^ (1L << 40);
                    d = new Descriptor(300, 300, hash, base.cropHashes(), base.thumbnail());
                    mask = i % 2 == 0 ? 1 : 4;
                } else {
                    long hash = random.nextLong() & Long.MAX_VALUE;
                    long[] crops = new long[80];
                    for (int c = 0; c < crops.length; c++) {
                        crops[c] = hash ^ (1L << random.nextInt(63)) ^ (1L << random.nextInt(63));
                    }
                    byte[] thumb = new byte[DescriptorMath.THUMB * DescriptorMath.THUMB];
                    random.nextBytes(thumb);
                    d = new Descriptor(300, 300, hash, crops, thumb);
                    int r = random.nextInt(10);
                    mask = r < 8 ? 1 : r == 8 ? 2 : 4;
                }
                ObjectId id = ObjectId.fromBytes(DigestUtils.sha256("generated " + i));
                batch.put(id, d);
                masks.put(id, mask);
                if (batch.size() == 5000) {
                    cache.putAll(batch, Map.of());
                    batch.clear();
                }
            }
            cache.putAll(batch, Map.of());
        }
        System.out.printf("generated %d descriptors into the cache in %.1f s (%.0f MB)%n", n, seconds(t),
                work.resolve(DescriptorCache.FILE).toFile().length() / 1e6);
        try (DescriptorCache cache = DescriptorCache.open(work)) {
            for (int round = 0; round < 2; round++) {
                t = System.nanoTime();
                NearDuplicateFinder.Result r = new NearDuplicateFinder(cache, Runtime.getRuntime().availableProcessors())
                        .find(masks, Map.of(), 0.85, 0.75);
                double s = seconds(t);
                long planted = r.pairs().stream().filter(LeakageBench::planted).count();
                System.out.printf("near-duplicate search over %d stored descriptors: %.1f s (%d candidate pairs,"
                        + " %d pairs reported, %d of 100 planted copies found)%n", n, s, r.candidatePairs(),
                        r.pairs().size(), planted);
            }
        }
    }

    private static boolean planted(NearPair p) {
        return p.correlation() > 0.99;
    }
}
