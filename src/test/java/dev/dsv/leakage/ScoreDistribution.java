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
 * Measures fine-check scores of planted copies of ELPV images (JPEG quality 60, resize to 2/3, random
 * crop up to 5% per side, exposure change; every 13th image) against the candidate pairs of distinct
 * ELPV cells, and prints min and percentiles per kind and cell type. Score 0 is the fine check, 1 the
 * 3x3 line-free detail at 64x64, 2 to 5 the residual scores at the side given by -Dside (default
 * 128), 6 the score that {@link Similarity#QUICK_REJECT} is compared with.
 * Usage: java ... dev.dsv.leakage.ScoreDistribution ELPV_IMAGES_DIR
 */
public final class ScoreDistribution {
    public static void main(String[] args) throws Exception {
        Path images = Path.of(args[0]);
        Path work = Files.createTempDirectory("dsv-scores");
        List<Path> files;
        try (var s = Files.list(images)) {
            files = s.filter(p -> p.toString().endsWith(".png")).sorted().toList();
        }
        Map<String, String> type = new HashMap<>();
        for (String line : Files.readAllLines(images.resolveSibling("labels.csv"))) {
            String[] f = line.trim().split("\\s+");
            type.put(Path.of(f[0]).getFileName().toString(), f[2]);
        }
        Descriptor[] d = new Descriptor[files.size()];
        double[][] big = new double[files.size()][];
        IntStream.range(0, files.size()).parallel().forEach(i -> {
            try {
                GrayImage g = GrayImage.decode(Files.readAllBytes(files.get(i)));
                d[i] = DescriptorMath.describe(g);
                big[i] = grid(g);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        Map<ObjectId, Integer> masks = new HashMap<>();
        Map<ObjectId, Integer> index = new HashMap<>();
        try (DescriptorCache cache = DescriptorCache.open(work)) {
            Map<ObjectId, Descriptor> all = new HashMap<>();
            for (int i = 0; i < d.length; i++) {
                ObjectId id = ObjectId.fromBytes(DigestUtils.sha256(files.get(i).toString()));
                all.put(id, d[i]);
                masks.put(id, 3);
                index.put(id, i);
            }
            cache.putAll(all, Map.of());
        }
        List<double[]> distinct = new ArrayList<>();
        List<String> distinctTypes = new ArrayList<>();
        try (DescriptorCache cache = DescriptorCache.open(work)) {
            NearDuplicateFinder.Result r = new NearDuplicateFinder(cache, 2).find(masks, Map.of(), -2, -2);
            System.out.println("candidate pairs " + r.candidatePairs());
            for (NearPair p : r.pairs()) {
                int a = index.get(p.blobA());
                int b = index.get(p.blobB());
                distinct.add(scores(d[a].thumbnail(), d[b].thumbnail(), big[a], big[b]));
                distinctTypes.add(type.get(files.get(a).getFileName().toString()));
            }
        }
        // Planted copies: every 13th image, four kinds each.
        String[] kinds = {"jpeg", "resize", "crop", "exposure"};
        List<List<double[]>> copies = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            copies.add(java.util.Collections.synchronizedList(new ArrayList<>()));
        }
        Random seeds = new Random(3);
        long[] seed = new long[files.size()];
        for (int i = 0; i < seed.length; i++) {
            seed[i] = seeds.nextLong();
        }
        IntStream.range(0, files.size() / 13).parallel().forEach(q -> {
            int i = q * 13;
            Random random = new Random(seed[i]);
            BufferedImage image = ImageCopies.read(files.get(i));
            try {
                for (int k = 0; k < 4; k++) {
                    Path out = writeCopy(image, k, q, random, work);
                    GrayImage g = GrayImage.decode(Files.readAllBytes(out));
                    Descriptor c = DescriptorMath.describe(g);
                    copies.get(k).add(scores(d[i].thumbnail(), c.thumbnail(), big[i], grid(g)));
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        int variants = distinct.isEmpty() ? 0 : distinct.get(0).length;
        for (int v = 0; v < variants; v++) {
            System.out.println("== score " + v);
            for (int k = 0; k < 4; k++) {
                print("copy " + kinds[k], column(copies.get(k), v));
            }
            List<double[]> mono = new ArrayList<>();
            List<double[]> poly = new ArrayList<>();
            for (int i = 0; i < distinct.size(); i++) {
                ("mono".equals(distinctTypes.get(i)) ? mono : poly).add(distinct.get(i));
            }
            print("distinct mono", column(mono, v));
            print("distinct poly", column(poly, v));
            if (v >= 2) {
                for (double t : new double[] {0.75, 0.8, 0.85, 0.9}) {
                    int vv = v;
                    long pass = distinct.stream().filter(r -> r[0] >= 0.85 && r[vv] >= t).count();
                    long lost = copies.stream().flatMap(List::stream).filter(r -> r[0] >= 0.85 && r[vv] < t).count();
                    long lostAny = copies.stream().flatMap(List::stream).filter(r -> r[vv] < t).count();
                    System.out.printf("  T=%.2f: distinct passing plain>=0.85 and this: %d; copies lost vs plain: %d,"
                            + " below T: %d%n", t, pass, lost, lostAny);
                }
            }
        }
    }

    /**
     * Writes copy kind k (0 JPEG quality 0.6, 1 resized to 2/3, 2 cropped by a random 0 to 5% per
     * side, 3 re-exposed: gain 0.7 offset +40 for even q, gain 1.25 offset -30 for odd q) of
     * original number q into the folder and returns its path.
     */
    static Path writeCopy(BufferedImage image, int k, int q, Random random, Path folder) {
        int side = image.getWidth();
        int max = side / 20;
        Path out = folder.resolve(q + "-" + k + (k == 0 ? ".jpg" : ".png"));
        switch (k) {
            case 0 -> ImageCopies.writeJpeg(image, 0.6f, out);
            case 1 -> ImageCopies.writePng(ImageCopies.resize(image, side * 2 / 3, side * 2 / 3), out);
            case 2 -> ImageCopies.writePng(ImageCopies.crop(image, random.nextInt(max + 1),
                    random.nextInt(max + 1), random.nextInt(max + 1), random.nextInt(max + 1)), out);
            default -> ImageCopies.writePng(q % 2 == 0 ? ImageCopies.exposure(image, 0.7, 40)
                    : ImageCopies.exposure(image, 1.25, -30), out);
        }
        return out;
    }

    static final int N = Integer.getInteger("side", 128);

    static double[] grid(GrayImage g) {
        float[] f = g.resize(N, N).samples();
        double[] out = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = f[i];
        }
        return out;
    }

    static double[] scores(byte[] a, byte[] b, double[] ba, double[] bb) {
        Similarity.Match m = Similarity.compare(a, b);
        double[] small = variants(Similarity.toDoubles(a), Similarity.toDoubles(b), 64, m);
        double[] extra = variants(ba, bb, N, m);
        double[] out = new double[extra.length + 3];
        out[extra.length + 2] = Similarity.quickScore(a, b);
        out[0] = m.correlation();
        out[1] = small[3];
        System.arraycopy(extra, 0, out, 2, extra.length);
        return out;
    }

    private static double[] column(List<double[]> rows, int v) {
        return rows.stream().mapToDouble(r -> r[v]).sorted().toArray();
    }

    private static void print(String label, double[] s) {
        if (s.length == 0) {
            System.out.printf("%-16s n=0%n", label);
            return;
        }
        System.out.printf("%-16s n=%5d min %.3f p1 %.3f p10 %.3f p50 %.3f p90 %.3f p99 %.3f max %.3f%n", label, s.length,
                s[0], q(s, 0.01), q(s, 0.1), q(s, 0.5), q(s, 0.9), q(s, 0.99), s[s.length - 1]);
    }

    private static double q(double[] s, double f) {
        return s[(int) Math.min(s.length - 1, Math.floor(f * s.length))];
    }

    /** The residual scores over the aligned overlap of two grids of side n: plain; 3x3 detail; 5x5
     * detail and 3x3 detail, each with its row and column means removed. */
    static double[] variants(double[] ga, double[] gb, int n, Similarity.Match match) {
        double[] m = {match.left(), match.top(), match.right(), match.bottom()};
        int[] xs = Similarity.insideRange(n, m[0], m[2]);
        int[] ys = Similarity.insideRange(n, m[1], m[3]);
        double[] sa = new double[n * n];
        Similarity.sample(ga, n, m, xs, ys, sa);
        int[] ix = {xs[0] + 2, xs[1] - 2};
        int[] iy = {ys[0] + 2, ys[1] - 2};
        double[] d5a = Similarity.detail(sa, n, xs, ys, 5);
        double[] d5b = Similarity.detail(gb, n, xs, ys, 5);
        double[] d3a = Similarity.detail(sa, n, xs, ys, 3);
        double[] d3b = Similarity.detail(gb, n, xs, ys, 3);
        return new double[] {
            Similarity.correlate(sa, gb, ix[0], ix[1], iy[0], iy[1], n),
            Similarity.correlate(d3a, d3b, ix[0], ix[1], iy[0], iy[1], n),
            Similarity.correlate(lines(d5a, n, ix, iy), lines(d5b, n, ix, iy), ix[0], ix[1], iy[0], iy[1], n),
            Similarity.correlate(lines(d3a, n, ix, iy), lines(d3b, n, ix, iy), ix[0], ix[1], iy[0], iy[1], n),
        };
    }

    /** Removes from g, inside the rectangle, the mean of each row and of each column (straight lines). */
    static double[] lines(double[] g, int n, int[] xs, int[] ys) {
        double[] row = new double[n];
        double[] col = new double[n];
        double all = 0;
        int w = xs[1] - xs[0];
        int h = ys[1] - ys[0];
        for (int y = ys[0]; y < ys[1]; y++) {
            for (int x = xs[0]; x < xs[1]; x++) {
                double v = g[y * n + x];
                row[y] += v / w;
                col[x] += v / h;
                all += v / (w * h);
            }
        }
        double[] out = new double[n * n];
        for (int y = ys[0]; y < ys[1]; y++) {
            for (int x = xs[0]; x < xs[1]; x++) {
                out[y * n + x] = g[y * n + x] - row[y] - col[x] + all;
            }
        }
        return out;
    }
}
