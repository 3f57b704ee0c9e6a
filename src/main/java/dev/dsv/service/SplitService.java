package dev.dsv.service;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.error.Problem;
import dev.dsv.leakage.GroupKey;
import dev.dsv.model.Defect;
import dev.dsv.model.ImageEntry;
import dev.dsv.model.LabelRecord;
import dev.dsv.model.ObjectId;
import dev.dsv.repo.RepositoryLock;
import dev.dsv.repo.Stage;
import dev.dsv.store.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * {@code dsv split}: assigns train, val and test by group, with the given ratios, per stratum
 * (cell type x defect) and deterministically from a seed, and commits the result. The commit
 * changes the split fact only; blobs and label records stay.
 */
public final class SplitService {
    /** The split names, in the order of the ratios. */
    public static final List<String> SPLITS = List.of("train", "val", "test");

    /**
     * A split request. Empty {@code paths} means every image of HEAD; {@code stratifyCellType} and
     * {@code stratifyDefect} choose the stratum of a group.
     */
    public record Request(GroupKey groupKey, double[] ratios, String seed, boolean stratifyCellType,
                          boolean stratifyDefect, List<String> paths, String message, String committer) {
    }

    /**
     * The commit, and how many images and groups went to each split; {@code unkeyed} images had no
     * group key value and each formed a group of its own.
     */
    public record Result(ObjectId commit, int images, int groups, int changed, Map<String, Integer> imagesBySplit,
                         Map<String, Integer> groupsBySplit, int strata, int unkeyed) {
    }

    private final Session session;

    public SplitService(Session session) {
        this.session = session;
    }

    public Result split(Request r) {
        checkRatios(r.ratios());
        try (RepositoryLock lock = session.lock("split")) {
            var repo = session.repository();
            String branch = repo.currentBranch();
            if (repo.config().protectedBranches().contains(branch)) {
                throw new DsvException(ExitCode.PROTECTED, "error.protected.commit", branch);
            }
            ObjectId head = repo.headCommit();
            if (head == null) {
                throw new DsvException(ExitCode.UNKNOWN_REVISION, "error.split.noCommit", branch);
            }
            ObjectId headTree = session.treeOf(head);
            Stage stage = session.stage();
            if (!stage.tree().equals(headTree)) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.split.staged", branch);
            }
            List<Problem> problems = new ArrayList<>();
            Map<String, ImageEntry> images = r.paths().isEmpty() ? all(headTree)
                    : StageEditor.expand(session, headTree, r.paths(), problems);
            if (!problems.isEmpty()) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.edit.rejected", "split", problems.size())
                        .withProblems(problems.size() > AddService.MAX_PROBLEMS
                                ? problems.subList(0, AddService.MAX_PROBLEMS) : problems);
            }

            Map<String, Group> groups = group(images, r);
            int unkeyed = (int) groups.keySet().stream().filter(g -> g.startsWith("path:")).count();
            if (!images.isEmpty() && unkeyed == images.size()) {
                // A misspelt attribute would otherwise give every image its own group and a split
                // with no leakage protection at all.
                throw new DsvException(ExitCode.INVALID_INPUT, "error.split.keyMissing", r.groupKey(), images.size());
            }
            Map<String, List<Group>> strata = new TreeMap<>();
            for (Group g : groups.values()) {
                strata.computeIfAbsent(g.stratum(), s -> new ArrayList<>()).add(g);
            }
            Map<String, Integer> imagesBySplit = new LinkedHashMap<>();
            Map<String, Integer> groupsBySplit = new LinkedHashMap<>();
            SPLITS.forEach(s -> {
                imagesBySplit.put(s, 0);
                groupsBySplit.put(s, 0);
            });
            Map<String, ImageEntry> changes = new TreeMap<>(dev.dsv.model.CanonicalJson.CODE_POINT_ORDER);
            for (List<Group> stratum : strata.values()) {
                assign(stratum, r.ratios());
                for (Group g : stratum) {
                    String split = SPLITS.get(g.split);
                    groupsBySplit.merge(split, 1, Integer::sum);
                    imagesBySplit.merge(split, g.paths.size(), Integer::sum);
                    for (String path : g.paths) {
                        ImageEntry e = images.get(path);
                        if (!split.equals(e.split())) {
                            changes.put(path, new ImageEntry(e.blob(), e.label(), e.cellType(), e.source(),
                                    e.generator(), split, e.attributes(), e.features()));
                        }
                    }
                }
            }
            if (changes.isEmpty()) {
                throw new DsvException(ExitCode.NOTHING_TO_COMMIT, "error.split.nothing", branch);
            }
            ObjectId tree;
            try (ObjectStore.Inserter inserter = repo.store().newInserter()) {
                tree = session.trees().apply(headTree, changes, inserter);
                inserter.flush();
            }
            String message = r.message() != null ? r.message() : defaultMessage(r);
            CommitService.Result c = new CommitService(session).writeCommit(branch, head, tree, List.of(head), message,
                    r.committer(), null);
            repo.clearStage();
            return new Result(c.id(), images.size(), groups.size(), changes.size(), imagesBySplit, groupsBySplit,
                    strata.size(), unkeyed);
        }
    }

    private static void checkRatios(double[] ratios) {
        double sum = 0;
        for (double v : ratios) {
            if (!(v >= 0) || v > 1) {
                throw new DsvException(ExitCode.USAGE, "error.split.ratios", java.util.Arrays.toString(ratios));
            }
            sum += v;
        }
        if (ratios.length != SPLITS.size() || Math.abs(sum - 1) > 1e-6) {
            throw new DsvException(ExitCode.USAGE, "error.split.ratios", java.util.Arrays.toString(ratios));
        }
    }

    private static String defaultMessage(Request r) {
        return "Split " + r.groupKey() + " by " + java.util.Arrays.toString(r.ratios()) + ", seed " + r.seed();
    }

    private Map<String, ImageEntry> all(ObjectId tree) {
        Map<String, ImageEntry> out = new TreeMap<>(dev.dsv.model.CanonicalJson.CODE_POINT_ORDER);
        session.trees().walk(tree, out::put);
        return out;
    }

    /** The images of one group, its stratum and (once assigned) its split position. */
    private static final class Group {
        final String key;
        final List<String> paths = new ArrayList<>();
        final Map<String, Integer> pairs = new HashMap<>();
        final byte[] order;
        int split = -1;

        Group(String key, String seed) {
            this.key = key;
            this.order = DigestUtils.sha256((seed + "\0" + key).getBytes(StandardCharsets.UTF_8));
        }

        /** Returns the most common stratum value of the group's images; a tie goes to the smaller name. */
        String stratum() {
            return pairs.entrySet().stream()
                    .max(Comparator.comparingInt((Map.Entry<String, Integer> e) -> e.getValue())
                            .thenComparing(Map.Entry::getKey, Comparator.reverseOrder()))
                    .map(Map.Entry::getKey).orElse("");
        }
    }

    /** Groups the images by key (an image without a key is a group of its own) and notes each image's stratum. */
    private Map<String, Group> group(Map<String, ImageEntry> images, Request r) {
        Map<String, Group> groups = new LinkedHashMap<>();
        images.forEach((path, e) -> {
            String key = r.groupKey().keyOf(path, e);
            String groupId = key == null ? "path:" + path : "key:" + key;
            Group g = groups.computeIfAbsent(groupId, k -> new Group(k, r.seed()));
            g.paths.add(path);
            StringBuilder stratum = new StringBuilder();
            if (r.stratifyCellType()) {
                stratum.append(e.cellType());
            }
            if (r.stratifyDefect()) {
                LabelRecord label = session.readLabel(e.label());
                String defect = label.defects().stream().map(Defect::type).sorted().findFirst().orElse(Defect.NONE);
                stratum.append(" x ").append(defect);
            }
            g.pairs.merge(stratum.toString(), 1, Integer::sum);
        });
        return groups;
    }

    /**
     * Hands the groups of one stratum, in seed order, each to the split whose image count is
     * furthest below its target relative to that target.
     */
    static void assign(List<Group> stratum, double[] ratios) {
        stratum.sort((a, b) -> java.util.Arrays.compareUnsigned(a.order, b.order));
        int total = stratum.stream().mapToInt(g -> g.paths.size()).sum();
        double[] have = new double[ratios.length];
        for (Group g : stratum) {
            int best = -1;
            double bestNeed = -Double.MAX_VALUE;
            for (int s = 0; s < ratios.length; s++) {
                if (ratios[s] <= 0) {
                    continue;
                }
                double target = ratios[s] * total;
                double need = (target - have[s]) / target;
                if (need > bestNeed) {
                    bestNeed = need;
                    best = s;
                }
            }
            g.split = best;
            have[best] += g.paths.size();
        }
    }
}
