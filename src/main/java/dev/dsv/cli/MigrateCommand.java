package dev.dsv.cli;

import dev.dsv.service.MigrateService;
import dev.dsv.service.Session;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code dsv migrate}: upgrades the repository format; no object or id changes. */
@Command(name = "migrate")
final class MigrateCommand extends BaseCommand {
    @Override
    int run() {
        try (Session session = openSession()) {
            MigrateService.Result r = new MigrateService(session).migrate();
            if (out().json()) {
                Map<String, Object> doc = Output.document();
                doc.put("from", r.from());
                doc.put("to", r.to());
                doc.put("migrated", r.from() != r.to());
                doc.put("commits_checked", r.commitsChecked());
                doc.put("meta_records_checked", r.metaRecordsChecked());
                out().printJson(doc);
            } else if (r.from() == r.to()) {
                out().println("migrate.current", r.to());
            } else {
                out().println("migrate.done", r.from(), r.to(), r.commitsChecked(), r.metaRecordsChecked());
            }
        }
        return 0;
    }
}
