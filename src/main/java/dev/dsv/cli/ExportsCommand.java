package dev.dsv.cli;

import dev.dsv.exports.ExportLog;
import dev.dsv.model.MetaRecord;
import dev.dsv.model.Times;
import dev.dsv.service.Session;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code dsv exports log}: the access log of exports, from the metadata log. */
@Command(name = "exports", subcommands = {ExportsCommand.Log.class})
final class ExportsCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                new Output(null, null, false).text("error.usage.noSubcommand", "exports", "log"));
    }

    static Map<String, Object> view(ExportLog.Entry e) {
        MetaRecord r = e.record();
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", e.id().hex());
        v.put("commit", r.subject().hex());
        v.put("author", r.author());
        v.put("time", Times.format(r.time()));
        v.putAll(r.body());
        return v;
    }

    @Command(name = "log")
    static final class Log extends BaseCommand {
        @Override
        int run() {
            try (Session session = openSession()) {
                List<ExportLog.Entry> entries = new ExportLog(session).list();
                if (out().json()) {
                    Map<String, Object> doc = Output.document();
                    doc.put("exports", entries.stream().map(ExportsCommand::view).toList());
                    out().printJson(doc);
                } else {
                    for (ExportLog.Entry e : entries) {
                        MetaRecord r = e.record();
                        out().println("exports.logLine", Times.format(r.time()), r.author(),
                                r.subject().abbreviate(12), r.body().get("images"), r.body().get("format"),
                                r.body().get("filter"), r.body().get("target"));
                    }
                }
            }
            return 0;
        }
    }
}
