package dev.dsv.cli;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.leakage.GroupKey;
import dev.dsv.leakage.LeakageCheck;
import dev.dsv.leakage.ResidualBasis;
import dev.dsv.leakage.SplitFinding;
import dev.dsv.service.LeakageService;
import dev.dsv.service.Session;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dsv leakage [REV]}: exact, near-duplicate, group and generator leakage between splits. */
@Command(name = "leakage")
final class LeakageCommand extends BaseCommand {
    /** Findings printed per kind in text output; JSON lists all. */
    private static final int SHOWN = 20;

    @Parameters(index = "0", arity = "0..1", paramLabel = "REV", defaultValue = "HEAD", descriptionKey = "leakage.rev")
    String revision;

    @Option(names = "--group-key", paramLabel = "attr:NAME", descriptionKey = "leakage.groupKey")
    String groupKey;

    @Option(names = "--group-pattern", paramLabel = "REGEX", descriptionKey = "leakage.groupPattern")
    String groupPattern;

    @Option(names = "--min-correlation", paramLabel = "R", descriptionKey = "leakage.minCorrelation")
    Double minCorrelation;

    @Option(names = "--min-residual", paramLabel = "R", descriptionKey = "leakage.minResidual")
    Double minResidual;

    @Option(names = "--no-near", descriptionKey = "leakage.noNear")
    boolean noNear;

    @Override
    int run() {
        GroupKey key = groupKey(groupKey, groupPattern);
        if (minCorrelation != null && !(minCorrelation > 0 && minCorrelation <= 1)) {
            throw new DsvException(ExitCode.USAGE, "error.leakage.minCorrelation", minCorrelation);
        }
        if (minResidual != null && !(minResidual >= -1 && minResidual <= 1)) {
            throw new DsvException(ExitCode.USAGE, "error.leakage.minResidual", minResidual);
        }
        try (Session session = openSession()) {
            LeakageService.Result r = new LeakageService(session).check(
                    new LeakageService.Request(revision, key, minCorrelation, minResidual, !noNear), progress());
            if (out().json()) {
                out().printJson(json(r));
            } else {
                text(r);
            }
            return r.leaks() ? ExitCode.CHECK_FAILED.code() : 0;
        }
    }

    /** Parses the two group options, which exclude each other; returns null when neither is given. */
    static GroupKey groupKey(String attribute, String pattern) {
        if (attribute != null && pattern != null) {
            throw new DsvException(ExitCode.USAGE, "error.leakage.twoGroupKeys");
        }
        if (attribute != null) {
            return attribute.startsWith("attr:") ? GroupKey.parse(attribute) : GroupKey.attribute(attribute);
        }
        return pattern == null ? null : GroupKey.pattern(pattern);
    }

    private Map<String, Object> json(LeakageService.Result r) {
        Map<String, Object> doc = Output.document();
        doc.put("commit", r.commit().hex());
        doc.put("images", r.scan().images());
        doc.put("images_in_splits", r.scan().imagesInSplits());
        doc.put("leaks", r.leaks());
        Map<String, Object> exact = new LinkedHashMap<>();
        exact.put("count", r.exactDuplicates().size());
        exact.put("findings", findings(r.exactDuplicates(), "sha256"));
        doc.put("exact_duplicates", exact);
        if (r.near() != null) {
            doc.put("near_duplicates", near(r.near()));
        } else {
            doc.put("near_duplicates", null);
        }
        if (r.groupKey() != null) {
            Map<String, Object> group = new LinkedHashMap<>();
            group.put("key", r.groupKey());
            group.put("groups", r.scan().groupCount());
            group.put("unkeyed_images", r.scan().unkeyed());
            group.put("count", r.groupLeaks().size());
            group.put("findings", findings(r.groupLeaks(), "group"));
            doc.put("group_leakage", group);
        } else {
            doc.put("group_leakage", null);
        }
        Map<String, Object> generators = new LinkedHashMap<>();
        generators.put("count", r.generatorLeaks().size());
        generators.put("findings", findings(r.generatorLeaks(), "generator"));
        doc.put("generator_leakage", generators);
        return doc;
    }

    private static List<Object> findings(List<SplitFinding> list, String keyName) {
        List<Object> out = new ArrayList<>();
        for (SplitFinding f : list) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put(keyName, f.key());
            m.put("images", f.images());
            m.put("splits", f.imagesBySplit());
            m.put("examples", f.examples());
            out.add(m);
        }
        return out;
    }

    private static Map<String, Object> near(LeakageCheck.NearReport n) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("min_correlation", n.minCorrelation());
        m.put("min_residual", n.minResidual());
        m.put("count", n.pairs().size());
        m.put("blobs", n.search().blobs());
        m.put("descriptors_computed", n.descriptors().computed());
        m.put("candidate_pairs", n.search().candidatePairs());
        m.put("blobs_at_candidate_limit", n.search().blobsAtCandidateLimit());
        m.put("truncated_buckets", n.search().truncatedBuckets());
        m.put("residual_bases", n.search().residualBases());
        m.put("without_residual_basis", n.search().withoutBasis());
        List<Object> undecodable = new ArrayList<>();
        n.descriptors().failures().forEach((id, msg) -> {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("sha256", id.hex());
            f.put("error", msg);
            undecodable.add(f);
        });
        m.put("undecodable", undecodable);
        List<Object> pairs = new ArrayList<>();
        for (LeakageCheck.NearDuplicate p : n.pairs()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("correlation", round(p.correlation()));
            x.put("residual", p.residual() == null ? null : round(p.residual()));
            x.put("hash_distance", p.hashDistance());
            x.put("a", side(p.a()));
            x.put("b", side(p.b()));
            x.put("margins", List.of(round(p.alignment().left()), round(p.alignment().top()),
                    round(p.alignment().right()), round(p.alignment().bottom())));
            pairs.add(x);
        }
        m.put("pairs", pairs);
        return m;
    }

    private static Map<String, Object> side(LeakageCheck.Side s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", s.path());
        m.put("split", s.split());
        m.put("sha256", s.blob().hex());
        return m;
    }

    private static double round(double v) {
        return Math.round(v * 10000) / 10000.0;
    }

    private void text(LeakageService.Result r) {
        out().println("leakage.header", r.commit().abbreviate(12), r.scan().images(), r.scan().imagesInSplits());
        out().println("leakage.exact", r.exactDuplicates().size());
        printFindings(r.exactDuplicates());
        if (r.near() != null) {
            LeakageCheck.NearReport n = r.near();
            out().println("leakage.near", n.pairs().size(), n.minCorrelation(), n.search().blobs(),
                    n.search().candidatePairs(), n.descriptors().computed());
            n.search().residualBases().forEach((type, images) -> out().println("leakage.residualBasis",
                    type.isEmpty() ? "-" : type, images, n.minResidual()));
            n.search().withoutBasis().forEach((type, images) -> out().println("leakage.withoutBasis",
                    type.isEmpty() ? "-" : type, images, ResidualBasis.MIN_IMAGES));
            n.pairs().stream().limit(SHOWN).forEach(p -> out().line(String.format(Locale.ROOT, "  %.4f  %s  %s %s  ~  %s %s",
                    p.correlation(), p.residual() == null ? "  -   " : String.format(Locale.ROOT, "%.4f", p.residual()),
                    p.a().split(), p.a().path(), p.b().split(), p.b().path())));
            more(n.pairs().size());
            n.descriptors().failures().forEach((id, msg) -> out().println("leakage.undecodable", id.hex(), msg));
            if (n.search().blobsAtCandidateLimit() > 0) {
                out().println("leakage.candidateLimit", n.search().blobsAtCandidateLimit());
            }
        } else {
            out().println("leakage.nearSkipped");
        }
        if (r.groupKey() != null) {
            out().println("leakage.group", r.groupKey(), r.groupLeaks().size(), r.scan().groupCount(),
                    r.scan().unkeyed());
            printFindings(r.groupLeaks());
        } else {
            out().println("leakage.groupSkipped");
        }
        out().println("leakage.generator", r.generatorLeaks().size());
        printFindings(r.generatorLeaks());
    }

    private void printFindings(List<SplitFinding> findings) {
        findings.stream().limit(SHOWN).forEach(f -> out().line("  " + f.key() + "  " + f.imagesBySplit() + "  "
                + f.examples()));
        more(findings.size());
    }

    private void more(int total) {
        if (total > SHOWN) {
            out().println("leakage.more", total - SHOWN);
        }
    }
}
