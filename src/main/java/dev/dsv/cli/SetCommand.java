package dev.dsv.cli;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.service.FactsService;
import dev.dsv.service.Session;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dsv set PATH...}: changes image facts without touching labels. */
@Command(name = "set")
final class SetCommand extends BaseCommand {
    @Parameters(arity = "1..*", paramLabel = "PATH", descriptionKey = "set.paths")
    List<String> paths;

    @Option(names = "--split", paramLabel = "SPLIT", descriptionKey = "add.split")
    String split;

    @Option(names = "--cell-type", paramLabel = "TYPE", descriptionKey = "set.cellType")
    String cellType;

    @Option(names = "--source", paramLabel = "SOURCE", descriptionKey = "set.source")
    String source;

    @Option(names = "--attr", paramLabel = "KEY=VALUE", descriptionKey = "set.attr")
    List<String> attributes = new ArrayList<>();

    @Option(names = "--unset-attr", paramLabel = "KEY", descriptionKey = "set.unsetAttr")
    List<String> unset = new ArrayList<>();

    @Option(names = "--site-local", negatable = true, descriptionKey = "set.siteLocal")
    Boolean siteLocal;

    @Override
    int run() {
        Map<String, String> set = new LinkedHashMap<>();
        if (siteLocal != null) {
            if (siteLocal) {
                set.put(dev.dsv.remote.PushService.SITE_LOCAL_ATTRIBUTE, "true");
            } else {
                unset.add(dev.dsv.remote.PushService.SITE_LOCAL_ATTRIBUTE);
            }
        }
        for (String a : attributes) {
            int eq = a.indexOf('=');
            if (eq <= 0) {
                throw new DsvException(ExitCode.USAGE, "error.set.attrSyntax", a);
            }
            set.put(a.substring(0, eq).trim(), a.substring(eq + 1).trim());
        }
        if (split == null && cellType == null && source == null && set.isEmpty() && unset.isEmpty()) {
            throw new DsvException(ExitCode.USAGE, "error.set.nothing");
        }
        try (Session session = openSession()) {
            int changed = new FactsService(session).set(new FactsService.Request(paths, split, cellType, source, set, unset));
            if (out().json()) {
                Map<String, Object> doc = Output.document();
                doc.put("changed", changed);
                out().printJson(doc);
            } else {
                out().println("set.done", changed);
            }
        }
        return 0;
    }
}
