package dev.dsv.policy;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Counters per class (cell type x defect type, {@code none} for an image without defects) that
 * the synthetic-data rules need, filled in one pass over a snapshot or an export selection.
 * Memory follows the number of classes and generators, not the number of images. An image with
 * several defect types counts in each of their classes.
 */
public final class SyntheticClassCounts {
    public static final String SYNTHETIC = "synthetic";
    public static final String TRAIN = "train";
    public static final String TEST = "test";
    public static final String NO_DEFECT = "none";

    private static final class ClassCount {
        long train;
        long trainSynthetic;
        long synthetic;
        final Set<String> generators = new TreeSet<>();
    }

    private final Map<String, ClassCount> classes = new TreeMap<>();
    private long images;
    private long trainImages;
    private long testImages;
    private long syntheticImages;
    private long testSynthetic;
    private final List<String> testSyntheticExamples = new ArrayList<>();

    /** Returns true when {@link #add} needs the image's defect types (train split or synthetic). */
    public static boolean needsDefects(String split, String source) {
        return TRAIN.equals(split) || SYNTHETIC.equals(source);
    }

    /**
     * Counts one image. {@code defectTypes} may be null when {@link #needsDefects} is false.
     * {@code generator} is NAME@VERSION; only the name counts towards diversity.
     */
    public void add(String path, String cellType, List<String> defectTypes, String split, String source,
                    String generator) {
        images++;
        boolean synthetic = SYNTHETIC.equals(source);
        if (synthetic) {
            syntheticImages++;
        }
        if (TEST.equals(split)) {
            testImages++;
            if (synthetic) {
                testSynthetic++;
                if (testSyntheticExamples.size() < GateResult.MAX_LISTED) {
                    testSyntheticExamples.add(path + " (" + generator + ")");
                }
            }
        }
        boolean train = TRAIN.equals(split);
        if (train) {
            trainImages++;
        }
        if (!train && !synthetic) {
            return;
        }
        List<String> types = defectTypes == null || defectTypes.isEmpty() ? List.of(NO_DEFECT) : defectTypes;
        for (String type : new TreeSet<>(types)) {
            ClassCount c = classes.computeIfAbsent(cellType + "/" + type, k -> new ClassCount());
            if (train) {
                c.train++;
                if (synthetic) {
                    c.trainSynthetic++;
                }
            }
            if (synthetic) {
                c.synthetic++;
                c.generators.add(generatorName(generator));
            }
        }
    }

    /** Returns the generator's name: the part before '@', or the whole value without one. */
    public static String generatorName(String generator) {
        if (generator == null) {
            return "(none)";
        }
        int at = generator.indexOf('@');
        return at < 0 ? generator : generator.substring(0, at);
    }

    public long images() {
        return images;
    }

    public long trainImages() {
        return trainImages;
    }

    /** Checks that synthetic images are at most {@code maxRatio} of every class of the train split. */
    public GateResult ratio(String gate, BigDecimal maxRatio) {
        List<String> over = new ArrayList<>();
        int checked = 0;
        for (Map.Entry<String, ClassCount> e : classes.entrySet()) {
            ClassCount c = e.getValue();
            if (c.train == 0) {
                continue;
            }
            checked++;
            // Exact comparison: trainSynthetic / train > maxRatio, in integers and decimals.
            if (BigDecimal.valueOf(c.trainSynthetic).compareTo(maxRatio.multiply(BigDecimal.valueOf(c.train))) > 0) {
                over.add(e.getKey() + ": " + c.trainSynthetic + " synthetic of " + c.train + " train images ("
                        + percent(c.trainSynthetic, c.train) + ")");
            }
        }
        return new GateResult(gate, over.isEmpty(), "synthetic images are at most " + percent(maxRatio)
                + " of each cell type x defect class of the train split (synthetic.max_ratio)", checked, over.size(), over);
    }

    /** Checks that the test split contains no synthetic image. */
    public GateResult testIsReal(String gate) {
        return new GateResult(gate, testSynthetic == 0, "the test split holds only real images",
                (int) Math.min(Integer.MAX_VALUE, testImages), (int) Math.min(Integer.MAX_VALUE, testSynthetic),
                testSyntheticExamples);
    }

    /** Checks that the synthetic images of each class come from at least {@code minGenerators} generators. */
    public GateResult diversity(String gate, long minGenerators) {
        List<String> few = new ArrayList<>();
        int checked = 0;
        for (Map.Entry<String, ClassCount> e : classes.entrySet()) {
            ClassCount c = e.getValue();
            if (c.synthetic == 0) {
                continue;
            }
            checked++;
            if (c.generators.size() < minGenerators) {
                few.add(e.getKey() + ": " + c.synthetic + " synthetic images from " + c.generators.size()
                        + " generator" + (c.generators.size() == 1 ? "" : "s") + " " + c.generators);
            }
        }
        return new GateResult(gate, few.isEmpty(), "the synthetic images of each class come from at least "
                + minGenerators + " generators (synthetic.min_generators)", checked, few.size(), few);
    }

    private static String percent(long part, long whole) {
        return percent(BigDecimal.valueOf(part).divide(BigDecimal.valueOf(whole), 6, RoundingMode.HALF_EVEN));
    }

    private static String percent(BigDecimal ratio) {
        return ratio.multiply(BigDecimal.valueOf(100)).setScale(1, RoundingMode.HALF_EVEN).toPlainString() + "%";
    }
}
