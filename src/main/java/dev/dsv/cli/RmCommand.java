package dev.dsv.cli;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.index.ImageFilter;
import dev.dsv.service.RemoveService;
import dev.dsv.service.Session;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dsv rm PATH...} or {@code dsv rm --where ...}: removes images from the next commit. */
@Command(name = "rm")
final class RmCommand extends BaseCommand {
    @Parameters(arity = "0..*", paramLabel = "PATH", descriptionKey = "rm.paths")
    List<String> paths;

    @Option(names = "--where", paramLabel = "KEY=VALUE[,KEY=VALUE...]", descriptionKey = "rm.where")
    String where;

    @Override
    int run() {
        boolean hasPaths = paths != null && !paths.isEmpty();
        if (hasPaths == (where != null)) {
            throw new DsvException(ExitCode.USAGE, "error.rm.pathsOrWhere");
        }
        try (Session session = openSession()) {
            RemoveService service = new RemoveService(session);
            int removed = hasPaths ? service.remove(paths) : service.removeWhere(parseWhere(where));
            if (out().json()) {
                Map<String, Object> doc = Output.document();
                doc.put("removed", removed);
                out().printJson(doc);
            } else {
                out().println("rm.done", removed);
            }
        }
        return 0;
    }

    private static ImageFilter parseWhere(String text) {
        Map<String, String> values = new HashMap<>();
        for (String part : text.split(",")) {
            int eq = part.indexOf('=');
            String key = eq <= 0 ? "" : part.substring(0, eq).trim().replace('_', '-');
            if (!List.of("cell-type", "defect", "split", "source", "path").contains(key)) {
                throw new DsvException(ExitCode.USAGE, "error.rm.whereSyntax", part);
            }
            values.put(key, part.substring(eq + 1).trim());
        }
        return new ImageFilter(values.get("cell-type"), values.get("defect"), values.get("split"), values.get("source"),
                values.get("path"));
    }
}
