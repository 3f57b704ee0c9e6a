package dev.dsv.cli;

import dev.dsv.model.MetaRecord;
import dev.dsv.model.Times;
import dev.dsv.service.Session;
import dev.dsv.service.TraceService;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code dsv trace MODEL}: a model's data commit, where it went, and what happened since. */
@Command(name = "trace")
final class TraceCommand extends BaseCommand {
    @Parameters(index = "0", paramLabel = "MODEL", descriptionKey = "model.name")
    String name;

    @Override
    int run() {
        try (Session session = openSession()) {
            TraceService.Trace t = new TraceService(session).trace(name);
            if (out().json()) {
                Map<String, Object> doc = Output.document();
                doc.put("model", ModelCommand.view(t.model()));
                doc.put("contained_in", t.containedIn());
                doc.put("promotions", t.promotions().stream().map(TraceCommand::event).toList());
                doc.put("rollbacks", t.rollbacks().stream().map(TraceCommand::event).toList());
                out().printJson(doc);
                return 0;
            }
            out().line(ModelCommand.line(out(), t.model()));
            out().println("trace.contained", t.containedIn().isEmpty() ? "-" : String.join(", ", t.containedIn()));
            for (MetaRecord p : t.promotions()) {
                out().println("trace.promotion", p.body().get("branch"), p.body().get("into"), p.author(), Times.format(p.time()),
                        p.subject().abbreviate(12));
            }
            for (MetaRecord r : t.rollbacks()) {
                out().println("trace.rollback", String.valueOf(r.body().get("rolled_back")).substring(0, 12),
                        r.body().get("branch"), r.author(), Times.format(r.time()), r.body().get("reason"));
            }
            if (t.model().codeCommit() != null) {
                out().println("trace.code", t.model().codeCommit(),
                        out().text(Boolean.TRUE.equals(t.model().codeDirty()) ? "trace.workTree.dirty" : "trace.workTree.clean"));
            }
        }
        return 0;
    }

    private static Map<String, Object> event(MetaRecord r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("commit", r.subject() == null ? null : r.subject().hex());
        m.put("author", r.author());
        m.put("time", Times.format(r.time()));
        m.putAll(r.body());
        return m;
    }
}
