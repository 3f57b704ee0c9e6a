package dev.dsv.cli;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.leakage.GroupKey;
import dev.dsv.service.Session;
import dev.dsv.service.SplitService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dsv split}: assigns train, val and test by group and commits the split. */
@Command(name = "split")
final class SplitCommand extends BaseCommand {
    @Parameters(arity = "0..*", paramLabel = "PATH", descriptionKey = "split.paths")
    List<String> paths = new ArrayList<>();

    @Option(names = "--group-key", paramLabel = "attr:NAME", descriptionKey = "split.groupKey")
    String groupKey;

    @Option(names = "--group-pattern", paramLabel = "REGEX", descriptionKey = "leakage.groupPattern")
    String groupPattern;

    @Option(names = "--ratios", required = true, paramLabel = "TRAIN,VAL,TEST", descriptionKey = "split.ratios")
    String ratios;

    @Option(names = "--seed", required = true, paramLabel = "SEED", descriptionKey = "split.seed")
    String seed;

    @Option(names = "--stratify", paramLabel = "KEYS", descriptionKey = "split.stratify")
    String stratify;

    @Option(names = {"-m", "--message"}, paramLabel = "MESSAGE", descriptionKey = "split.message")
    String message;

    @Override
    int run() {
        GroupKey key = LeakageCommand.groupKey(groupKey, groupPattern);
        if (key == null) {
            throw new DsvException(ExitCode.USAGE, "error.split.noGroupKey");
        }
        double[] parsed = parseRatios(ratios);
        boolean byCellType = false;
        boolean byDefect = false;
        if (stratify != null) {
            for (String s : stratify.split(",")) {
                switch (s.trim()) {
                    case "cell-type" -> byCellType = true;
                    case "defect" -> byDefect = true;
                    default -> throw new DsvException(ExitCode.USAGE, "error.split.stratify", s.trim());
                }
            }
        }
        if (message != null && message.isBlank()) {
            throw new DsvException(ExitCode.USAGE, "error.commit.emptyMessage");
        }
        try (Session session = openSession()) {
            SplitService.Result r = new SplitService(session).split(new SplitService.Request(key, parsed, seed, byCellType,
                    byDefect, paths, message, null));
            if (out().json()) {
                Map<String, Object> doc = Output.document();
                doc.put("commit", r.commit().hex());
                doc.put("images", r.images());
                doc.put("groups", r.groups());
                doc.put("strata", r.strata());
                doc.put("changed", r.changed());
                doc.put("images_by_split", r.imagesBySplit());
                doc.put("groups_by_split", r.groupsBySplit());
                doc.put("unkeyed", r.unkeyed());
                out().printJson(doc);
            } else {
                out().println("split.done", r.commit().abbreviate(12), r.images(), r.groups(), r.strata(), r.changed(),
                        r.imagesBySplit(), r.groupsBySplit());
                if (r.unkeyed() > 0) {
                    out().println("split.unkeyed", r.unkeyed(), key);
                }
            }
        }
        return 0;
    }

    private static double[] parseRatios(String text) {
        String[] parts = text.split(",");
        double[] out = new double[parts.length];
        try {
            for (int i = 0; i < parts.length; i++) {
                out[i] = Double.parseDouble(parts[i].trim());
            }
        } catch (NumberFormatException e) {
            throw new DsvException(ExitCode.USAGE, e, "error.split.ratios", text);
        }
        return out;
    }
}
