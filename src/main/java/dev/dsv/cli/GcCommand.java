package dev.dsv.cli;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.service.GcService;
import dev.dsv.service.Session;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dsv gc}: deletes unreachable objects older than the grace period and merges packs. */
@Command(name = "gc")
final class GcCommand extends BaseCommand {
    private static final Pattern DURATION = Pattern.compile("(\\d+)([smhd]?)");
    private static final int LISTED = 20;

    @Option(names = "--dry-run", descriptionKey = "gc.dryRun")
    boolean dryRun;

    @Option(names = "--grace", paramLabel = "DURATION", defaultValue = "1h", descriptionKey = "gc.grace")
    String grace;

    @Override
    int run() {
        Duration duration = parse(grace);
        try (Session session = openSession()) {
            GcService.Result r = new GcService(session).gc(dryRun, duration);
            if (out().json()) {
                Map<String, Object> doc = Output.document();
                doc.put("dry_run", r.dryRun());
                doc.put("live_objects", r.live());
                doc.put("deleted", r.garbage().size());
                doc.put("bytes_freed", r.bytesFreed());
                doc.put("kept_in_grace", r.keptInGrace());
                doc.put("packs_before", r.packsBefore());
                doc.put("packs_after", r.packsAfter());
                doc.put("link_cache_files_removed", r.linkCacheFiles());
                doc.put("objects", r.garbage().stream().map(g -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("id", g.id().hex());
                    m.put("type", g.type());
                    m.put("size", g.size());
                    return m;
                }).toList());
                out().printJson(doc);
                return 0;
            }
            if (r.dryRun()) {
                r.garbage().stream().limit(LISTED).forEach(g -> out().line(g.type() + " " + g.id().hex() + " " + g.size()));
                if (r.garbage().size() > LISTED) {
                    out().println("gc.more", r.garbage().size() - LISTED);
                }
            }
            out().println(r.dryRun() ? "gc.wouldDelete" : "gc.deleted", r.garbage().size(), r.bytesFreed() / 1e6,
                    r.live(), r.keptInGrace(), r.packsBefore(), r.packsAfter());
        }
        return 0;
    }

    static Duration parse(String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new DsvException(ExitCode.USAGE, "error.gc.grace", text);
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofSeconds(n);
        };
    }
}
