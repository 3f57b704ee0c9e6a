package dev.dsv.cli;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.remote.RemoteConfig;
import dev.dsv.remote.RemoteService;
import dev.dsv.remote.RemoteStorage;
import dev.dsv.service.Session;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dsv remote add|list|remove}: the remotes this repository pushes to and fetches from. */
@Command(name = "remote", subcommands = {RemoteCommand.Add.class, RemoteCommand.ListRemotes.class, RemoteCommand.Remove.class})
final class RemoteCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                new Output(null, null, false).text("error.usage.noSubcommand", "remote", "add, list, remove"));
    }

    /** The options of a remote as named flags, gathered into the option map the storage reads. */
    static final class StorageOptions {
        @Option(names = "--endpoint", paramLabel = "URL", descriptionKey = "remote.endpoint")
        String endpoint;

        @Option(names = "--region", paramLabel = "REGION", descriptionKey = "remote.region")
        String region;

        @Option(names = "--path-style", descriptionKey = "remote.pathStyle")
        boolean pathStyle;

        @Option(names = "--ca-bundle", paramLabel = "FILE", descriptionKey = "remote.caBundle")
        String caBundle;

        @Option(names = "--proxy", paramLabel = "URL", descriptionKey = "remote.proxy")
        String proxy;

        @Option(names = "--transfers", paramLabel = "N", descriptionKey = "remote.transfers")
        Integer transfers;

        @Option(names = "--pack-size", paramLabel = "BYTES", descriptionKey = "remote.packSize")
        Long packSize;

        @Option(names = "--option", paramLabel = "KEY=VALUE", descriptionKey = "remote.option")
        List<String> extra = new ArrayList<>();

        Map<String, String> toMap() {
            Map<String, String> m = new TreeMap<>();
            for (String kv : extra) {
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw new DsvException(ExitCode.USAGE, "error.remote.optionSyntax", kv);
                }
                m.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
            }
            putIf(m, "endpoint", endpoint);
            putIf(m, "region", region);
            putIf(m, "path-style", pathStyle ? "true" : null);
            putIf(m, "ca-bundle", caBundle);
            putIf(m, "proxy", proxy);
            putIf(m, "transfers", transfers == null ? null : transfers.toString());
            putIf(m, "pack-size", packSize == null ? null : packSize.toString());
            return m;
        }

        private static void putIf(Map<String, String> m, String key, String value) {
            if (value != null) {
                m.put(key, value);
            }
        }
    }

    @Command(name = "add")
    static final class Add extends BaseCommand {
        @Parameters(index = "0", paramLabel = "NAME", descriptionKey = "remote.name")
        String name;

        @Parameters(index = "1", paramLabel = "URL", descriptionKey = "remote.url")
        String url;

        @picocli.CommandLine.Mixin
        StorageOptions options = new StorageOptions();

        @Override
        int run() {
            try (Session session = openSession()) {
                RemoteStorage.Capabilities caps = new RemoteService(session).add(name, url, options.toMap());
                if (out().json()) {
                    Map<String, Object> doc = Output.document();
                    doc.put("added", name);
                    doc.put("url", url);
                    doc.put("atomic_compare_and_swap", caps.atomicCompareAndSwap());
                    doc.put("probe", caps.detail());
                    out().printJson(doc);
                } else {
                    out().println("remote.added", name, url, caps.detail());
                }
            }
            return 0;
        }
    }

    @Command(name = "list")
    static final class ListRemotes extends BaseCommand {
        @Override
        int run() {
            try (Session session = openSession()) {
                List<RemoteConfig.Remote> remotes = new RemoteService(session).list();
                Map<String, dev.dsv.model.ObjectId> tracking = session.repository().remoteRefs();
                List<Map<String, Object>> views = new ArrayList<>();
                for (RemoteConfig.Remote r : remotes) {
                    Map<String, Object> v = new LinkedHashMap<>();
                    v.put("name", r.name());
                    v.put("url", r.spec().url());
                    v.put("options", r.spec().options());
                    v.put("filter", r.filter() == null ? null : r.filter().describe());
                    List<Map<String, Object>> branches = new ArrayList<>();
                    String prefix = "refs/remotes/" + r.name() + "/";
                    tracking.forEach((ref, id) -> {
                        if (ref.startsWith(prefix)) {
                            Map<String, Object> b = new LinkedHashMap<>();
                            b.put("name", ref.substring(prefix.length()));
                            b.put("commit", id.hex());
                            branches.add(b);
                        }
                    });
                    v.put("branches", branches);
                    views.add(v);
                }
                if (out().json()) {
                    Map<String, Object> doc = Output.document();
                    doc.put("remotes", views);
                    out().printJson(doc);
                } else {
                    for (Map<String, Object> v : views) {
                        out().line(v.get("name") + "\t" + v.get("url")
                                + (v.get("filter") == null ? "" : "\t" + out().text("remote.partial", v.get("filter"))));
                        for (Object b : (List<?>) v.get("branches")) {
                            Map<?, ?> bm = (Map<?, ?>) b;
                            out().line("  " + v.get("name") + "/" + bm.get("name") + "\t"
                                    + bm.get("commit").toString().substring(0, 12));
                        }
                    }
                }
            }
            return 0;
        }
    }

    @Command(name = "remove")
    static final class Remove extends BaseCommand {
        @Parameters(index = "0", paramLabel = "NAME", descriptionKey = "remote.name")
        String name;

        @Override
        int run() {
            try (Session session = openSession()) {
                new RemoteService(session).remove(name);
                if (out().json()) {
                    Map<String, Object> doc = Output.document();
                    doc.put("removed", name);
                    out().printJson(doc);
                } else {
                    out().println("remote.removed", name);
                }
            }
            return 0;
        }
    }
}
