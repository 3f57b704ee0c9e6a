package dev.dsv.cli;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.service.PlausibilityService;
import dev.dsv.service.Session;
import dev.dsv.synthetic.PlausibilityProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dsv check profile|plausibility}: plausibility profiles of real images and scores of synthetic ones. */
@Command(name = "check", subcommands = {CheckCommand.Profile.class, CheckCommand.Plausibility.class})
final class CheckCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                new Output(null, null, false).text("error.usage.noSubcommand", "check", "profile, plausibility"));
    }

    static String number(double v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }

    @Command(name = "profile")
    static final class Profile extends BaseCommand {
        @Parameters(index = "0", arity = "0..1", paramLabel = "REV", defaultValue = "HEAD", descriptionKey = "check.profile.rev")
        String revision;

        @Override
        int run() {
            try (Session session = openSession()) {
                PlausibilityService.ProfileResult r = new PlausibilityService(session, progress()).computeProfile(revision);
                if (out().json()) {
                    Map<String, Object> doc = Output.document();
                    doc.put("record", r.record().hex());
                    doc.put("commit", r.commit().hex());
                    Map<String, Object> types = new LinkedHashMap<>();
                    r.profiles().forEach((type, p) -> {
                        Map<String, Object> t = new LinkedHashMap<>();
                        t.put("real_images", r.realImages().get(type));
                        t.put("measured", p.images());
                        Map<String, Object> measures = new LinkedHashMap<>();
                        p.ranges().forEach((name, range) -> {
                            Map<String, Object> m = new LinkedHashMap<>();
                            m.put("low", range.low());
                            m.put("high", range.high());
                            m.put("median", range.percentiles()[2]);
                            measures.put(name, m);
                        });
                        t.put("measures", measures);
                        types.put(type, t);
                    });
                    doc.put("cell_types", types);
                    doc.put("skipped", r.skipped());
                    doc.put("seconds", r.seconds());
                    out().printJson(doc);
                    return 0;
                }
                out().println("check.profile.done", r.record().abbreviate(12), r.commit().abbreviate(12), r.seconds());
                r.profiles().forEach((type, p) -> {
                    out().println("check.profile.cellType", type, r.realImages().get(type), p.images());
                    p.ranges().forEach((name, range) -> out().println("check.profile.range", String.format(Locale.ROOT, "%-22s", name),
                            number(range.low()), number(range.high()), number(range.percentiles()[2])));
                });
                r.skipped().forEach((type, n) -> out().println("check.profile.skipped", type, n,
                        PlausibilityProfile.MIN_IMAGES));
            }
            return 0;
        }
    }

    @Command(name = "plausibility")
    static final class Plausibility extends BaseCommand {
        @Parameters(arity = "0..*", paramLabel = "REV|PATH", descriptionKey = "check.plausibility.targets")
        List<String> targets = new ArrayList<>();

        @Option(names = "--cell-type", paramLabel = "TYPE", descriptionKey = "check.plausibility.cellType")
        String cellType;

        @Override
        int run() {
            try (Session session = openSession()) {
                PlausibilityService service = new PlausibilityService(session, progress());
                List<PlausibilityService.Scored> scored;
                if (cellType != null) {
                    if (targets.isEmpty()) {
                        throw new DsvException(ExitCode.USAGE, "error.plausibility.noFiles");
                    }
                    String type = session.repository().config().cellTypes().require(cellType, "--cell-type");
                    List<PlausibilityService.Candidate> candidates = new ArrayList<>();
                    for (String t : targets) {
                        for (Path file : files(rootCommand().workingDirectory().resolve(t))) {
                            candidates.add(new PlausibilityService.Candidate(file.toString(), file, null, type, List.of()));
                        }
                    }
                    scored = service.score(candidates, service.latestProfiles(), false);
                } else {
                    if (targets.size() > 1) {
                        throw new DsvException(ExitCode.USAGE, "error.plausibility.oneRevision", String.join(" ", targets));
                    }
                    scored = service.checkRevision(targets.isEmpty() ? "HEAD" : targets.get(0));
                }
                return report(scored);
            }
        }

        private int report(List<PlausibilityService.Scored> scored) {
            long failed = scored.stream().filter(s -> !s.passed()).count();
            if (out().json()) {
                Map<String, Object> doc = Output.document();
                doc.put("checked", scored.size());
                doc.put("passed", scored.size() - failed);
                doc.put("failed", failed);
                doc.put("failures_by_measure", PlausibilityService.failuresByMeasure(scored));
                List<Map<String, Object>> images = new ArrayList<>();
                for (PlausibilityService.Scored s : scored) {
                    images.add(view(s));
                }
                doc.put("images", images);
                out().printJson(doc);
            } else {
                for (PlausibilityService.Scored s : scored) {
                    if (!s.passed()) {
                        out().println("check.plausibility.failed", s.candidate().name(), s.candidate().cellType(),
                                describe(s.failures()));
                    }
                }
                out().println("check.plausibility.summary", scored.size(), scored.size() - failed, failed);
            }
            return failed == 0 ? 0 : ExitCode.CHECK_FAILED.code();
        }
    }

    /** Returns "measure value (range low..high)" for each failure, joined by "; ". */
    static String describe(List<PlausibilityProfile.Failure> failures) {
        List<String> parts = new ArrayList<>();
        for (PlausibilityProfile.Failure f : failures) {
            parts.add(f.measure() + " " + number(f.value()) + " (real " + number(f.low()) + ".." + number(f.high()) + ")");
        }
        return String.join("; ", parts);
    }

    static Map<String, Object> view(PlausibilityService.Scored s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", s.candidate().name());
        m.put("cell_type", s.candidate().cellType());
        m.put("passed", s.passed());
        if (s.profile() != null) {
            m.put("profile", s.profile().record().hex());
            m.put("profile_commit", s.profile().commit().hex());
        }
        m.put("values", s.values());
        List<Map<String, Object>> failures = new ArrayList<>();
        for (PlausibilityProfile.Failure f : s.failures()) {
            Map<String, Object> fm = new LinkedHashMap<>();
            fm.put("measure", f.measure());
            fm.put("value", f.value());
            fm.put("low", f.low());
            fm.put("high", f.high());
            failures.add(fm);
        }
        m.put("failures", failures);
        return m;
    }

    /** Lists image files: the file itself, or the files below a folder (dotfiles skipped) in name order. */
    static List<Path> files(Path target) {
        if (!Files.exists(target)) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.add.pathNotFound", target);
        }
        if (!Files.isDirectory(target)) {
            return List.of(target);
        }
        try (Stream<Path> walk = Files.walk(target)) {
            return walk.filter(Files::isRegularFile)
                    .filter(p -> !target.relativize(p).toString().matches("(^|.*/)\\..*"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new DsvException(ExitCode.IO_ERROR, e, "error.add.folderUnreadable", target, e.getMessage());
        }
    }
}
