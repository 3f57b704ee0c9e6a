package dev.dsv.cli;

import dev.dsv.service.ReindexService;
import dev.dsv.service.Session;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code dsv reindex}: rebuilds the SQLite index from objects and refs. */
@Command(name = "reindex")
final class ReindexCommand extends BaseCommand {
    @Override
    int run() {
        try (Session session = openSession()) {
            ReindexService.Result r = new ReindexService(session).reindex();
            if (out().json()) {
                Map<String, Object> doc = Output.document();
                doc.put("commits", r.commits());
                doc.put("meta_records", r.metaRecords());
                out().printJson(doc);
            } else {
                out().println("reindex.done", r.commits(), r.metaRecords());
            }
        }
        return 0;
    }
}
