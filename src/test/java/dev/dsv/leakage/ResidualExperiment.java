package dev.dsv.leakage;

import dev.dsv.imaging.GrayImage;
import dev.dsv.model.ObjectId;
import dev.dsv.testing.ImageCopies;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * Scores of planted copies (as in {@link ScoreDistribution}) and of distinct ELPV candidate pairs
 * at the second stage of the near-duplicate check, for bases of {@link #KS} principal directions
 * computed from the originals of each cell type. Prints percentiles per kind and cell type, and
 * the pairs with the highest residual correlation at 64 directions.
 * Usage: java ... dev.dsv.leakage.ResidualExperiment ELPV_IMAGES_DIR
 */
public final class ResidualExperiment {
    static final int N = DescriptorMath.THUMB;
    static final int[] KS = {32, 48, 64, 96};

    public static void main(String[] args) throws Exception {
        Path images = Path.of(args[0]);
        Path work = Files.createTempDirectory("dsv-residual");
        List<Path> files;
        try (var s = Files.list(images)) {
            files = s.filter(p -> p.toString().endsWith(".png")).sorted().toList();
        }
        Map<String, String> typeOf = new HashMap<>();
        for (String line : Files.readAllLines(images.resolveSibling("labels.csv"))) {
            String[] f = line.trim().split("\\s+");
            typeOf.put(Path.of(f[0]).getFileName().toString(), f[2]);
        }
        int count = files.size();
        Descriptor[] d = new Descriptor[count];
        boolean[] mono = new boolean[count];
        IntStream.range(0, count).parallel().forEach(i -> {
            try {
                d[i] = DescriptorMath.describe(GrayImage.decode(Files.readAllBytes(files.get(i))));
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        for (int i = 0; i < count; i++) {
            mono[i] = "mono".equals(typeOf.get(files.get(i).getFileName().toString()));
        }
        long t0 = System.nanoTime();
        ResidualBasis[] monoBasis = bases(d, mono, true);
        ResidualBasis[] polyBasis = bases(d, mono, false);
        System.out.printf("bases in %.1f s%n", (System.nanoTime() - t0) / 1e9);

        Map<ObjectId, Integer> masks = new HashMap<>();
        Map<ObjectId, Integer> index = new HashMap<>();
        List<int[]> pairs = new ArrayList<>();
        try (DescriptorCache cache = DescriptorCache.open(work)) {
            Map<ObjectId, Descriptor> all = new HashMap<>();
            for (int i = 0; i < count; i++) {
                ObjectId id = ObjectId.fromBytes(DigestUtils.sha256(files.get(i).toString()));
                all.put(id, d[i]);
                masks.put(id, 3);
                index.put(id, i);
            }
            cache.putAll(all, Map.of());
            NearDuplicateFinder.Result r = new NearDuplicateFinder(cache, 2).find(masks, Map.of(), -2, -2);
            for (NearPair p : r.pairs()) {
                pairs.add(new int[] {index.get(p.blobA()), index.get(p.blobB())});
            }
        }
        System.out.println("candidate pairs " + pairs.size());
        double[][] distinct = new double[pairs.size()][];
        IntStream.range(0, pairs.size()).parallel().forEach(q -> {
            int a = pairs.get(q)[0];
            int b = pairs.get(q)[1];
            distinct[q] = scores(d[a].thumbnail(), d[b].thumbnail(), mono[a] ? monoBasis : polyBasis);
        });
        String[] kinds = {"jpeg", "resize", "crop", "exposure"};
        Random seeds = new Random(3);
        long[] seed = new long[count];
        for (int i = 0; i < count; i++) {
            seed[i] = seeds.nextLong();
        }
        int originals = count / 13;
        double[][][] copies = new double[4][originals][];
        IntStream.range(0, originals).parallel().forEach(q -> {
            int i = q * 13;
            Random random = new Random(seed[i]);
            BufferedImage image = ImageCopies.read(files.get(i));
            try {
                for (int k = 0; k < 4; k++) {
                    Path out = ScoreDistribution.writeCopy(image, k, q, random, work);
                    Descriptor c = DescriptorMath.describe(GrayImage.decode(Files.readAllBytes(out)));
                    copies[k][q] = scores(d[i].thumbnail(), c.thumbnail(), mono[i] ? monoBasis : polyBasis);
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        Integer[] order = IntStream.range(0, pairs.size()).boxed().toArray(Integer[]::new);
        Arrays.sort(order, (x, y) -> Double.compare(distinct[y][3], distinct[x][3]));
        for (int r = 0; r < 40; r++) {
            int q = order[r];
            System.out.printf("top %s %s %s fine %.3f res64 %.3f%n", mono[pairs.get(q)[0]] ? "mono" : "poly",
                    files.get(pairs.get(q)[0]).getFileName(), files.get(pairs.get(q)[1]).getFileName(),
                    distinct[q][0], distinct[q][3]);
        }
        for (int v = 0; v <= KS.length; v++) {
            System.out.println("== score " + (v == 0 ? "fine check" : "residual K=" + KS[v - 1]));
            for (int k = 0; k < 4; k++) {
                print("copy " + kinds[k], column(Arrays.asList(copies[k]), v));
            }
            List<double[]> m = new ArrayList<>();
            List<double[]> p = new ArrayList<>();
            for (int q = 0; q < pairs.size(); q++) {
                (mono[pairs.get(q)[0]] ? m : p).add(distinct[q]);
            }
            print("distinct mono", column(m, v));
            print("distinct poly", column(p, v));
            if (v > 0) {
                for (double t : new double[] {0.6, 0.7, 0.75, 0.8, 0.85, 0.9}) {
                    int vv = v;
                    long pass = Arrays.stream(distinct).filter(r -> r[0] >= 0.85 && r[vv] >= t).count();
                    long lost = Arrays.stream(copies).flatMap(Arrays::stream).filter(r -> r[vv] < t).count();
                    long passMono = IntStream.range(0, pairs.size()).filter(q -> mono[pairs.get(q)[0]]
                            && distinct[q][0] >= 0.85 && distinct[q][vv] >= t).count();
                    System.out.printf("  T=%.2f: distinct with fine>=0.85 and this>=T: %d (mono %d); copies below T: %d%n",
                            t, pass, passMono, lost);
                }
            }
        }
    }

    /** Fine check, then the residual correlation for each basis. */
    static double[] scores(byte[] a, byte[] b, ResidualBasis[] bases) {
        Similarity.Match match = Similarity.compare(a, b);
        double[] out = new double[bases.length + 1];
        out[0] = match.correlation();
        for (int k = 0; k < bases.length; k++) {
            out[k + 1] = bases[k].score(a, b, match);
        }
        return out;
    }

    static ResidualBasis[] bases(Descriptor[] d, boolean[] mono, boolean want) {
        List<byte[]> thumbs = new ArrayList<>();
        for (int i = 0; i < d.length; i++) {
            if (mono[i] == want) {
                thumbs.add(d[i].thumbnail());
            }
        }
        ResidualBasis[] out = new ResidualBasis[KS.length];
        for (int k = 0; k < KS.length; k++) {
            out[k] = ResidualBasis.of(thumbs, KS[k]);
        }
        return out;
    }

    private static double[] column(List<double[]> rows, int v) {
        return rows.stream().mapToDouble(r -> r[v]).sorted().toArray();
    }

    private static void print(String label, double[] s) {
        System.out.printf("%-16s n=%5d min %.3f p1 %.3f p10 %.3f p50 %.3f p90 %.3f p99 %.3f max %.3f%n", label, s.length,
                s[0], q(s, 0.01), q(s, 0.1), q(s, 0.5), q(s, 0.9), q(s, 0.99), s[s.length - 1]);
    }

    private static double q(double[] s, double f) {
        return s[(int) Math.min(s.length - 1, Math.floor(f * s.length))];
    }
}
