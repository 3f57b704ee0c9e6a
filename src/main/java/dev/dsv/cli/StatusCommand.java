package dev.dsv.cli;

import dev.dsv.service.Change;
import dev.dsv.service.Session;
import dev.dsv.service.StatusService;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dsv status}: what the next commit would record. */
@Command(name = "status")
final class StatusCommand extends BaseCommand {
    private static final int DEFAULT_SHOWN = 20;

    @Option(names = "--all", descriptionKey = "status.all")
    boolean all;

    @Override
    int run() {
        try (Session session = openSession()) {
            int limit = all || out().json() ? Integer.MAX_VALUE : DEFAULT_SHOWN;
            // The diff visits paths in tree order, not path order, so keep the first paths by
            // code point order among all changes, at most limit of them.
            java.util.TreeSet<Change> first = new java.util.TreeSet<>(
                    (a, b) -> dev.dsv.model.CanonicalJson.CODE_POINT_ORDER.compare(a.path(), b.path()));
            StatusService.Status s = new StatusService(session).status(c -> {
                first.add(c);
                if (first.size() > limit) {
                    first.pollLast();
                }
            });
            List<Change> changes = new ArrayList<>(first);
            if (out().json()) {
                Map<String, Object> doc = Output.document();
                doc.put("branch", s.branch());
                doc.put("head", s.head() == null ? null : s.head().hex());
                doc.put("stage_tree", s.stageTree().hex());
                doc.put("counts", Views.counts(s.counts()));
                doc.put("changes", changes.stream().map(Views::change).toList());
                out().printJson(doc);
                return 0;
            }
            out().println("status.branch", s.branch(), s.head() == null ? out().text("status.noCommits") : s.head().abbreviate(12));
            if (s.total() == 0) {
                out().println("status.clean");
                return 0;
            }
            out().println("status.staged", s.total(), Views.countsText(out(), s.counts()));
            for (Change c : changes) {
                out().line(String.format("  %-10s %s", c.kind().name().toLowerCase(Locale.ROOT), c.path()));
            }
            if (s.total() > changes.size()) {
                out().println("status.more", s.total() - changes.size());
            }
        }
        return 0;
    }
}
