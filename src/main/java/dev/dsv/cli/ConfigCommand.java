package dev.dsv.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dsv.error.ExitCode;
import dev.dsv.service.ConfigService;
import dev.dsv.service.Identity;
import dev.dsv.service.Session;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code dsv config get|set|unset|list}: the repository configuration in {@code .dsv/config.json}. */
@Command(name = "config", subcommands = {ConfigCommand.Get.class, ConfigCommand.Set.class, ConfigCommand.Unset.class,
    ConfigCommand.ListKeys.class})
final class ConfigCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                new Output(null, null, false).text("error.usage.noSubcommand", "config", "get, set, unset, list"));
    }

    /** Returns a value as text: a list comma-separated, as {@code dsv config set} takes it. */
    static String text(JsonNode value) {
        if (value == null) {
            return "";
        }
        if (value.isArray()) {
            List<String> parts = new ArrayList<>();
            value.forEach(v -> parts.add(v.asText()));
            return String.join(",", parts);
        }
        return value.asText();
    }

    /** Returns the JSON view of an entry: key, value, default, set, access. */
    static Map<String, Object> view(ConfigService.Entry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("key", e.key().name());
        m.put("value", e.value());
        m.put("default", e.key().defaultValue());
        m.put("set", e.set());
        m.put("access", e.key().access().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        return m;
    }

    @Command(name = "get")
    static final class Get extends BaseCommand {
        @Parameters(index = "0", paramLabel = "KEY", descriptionKey = "config.key")
        String key;

        @Override
        int run() {
            try (Session session = openSession()) {
                ConfigService.Entry e = new ConfigService(session).get(key);
                if (out().json()) {
                    Map<String, Object> doc = Output.document();
                    doc.putAll(view(e));
                    out().printJson(doc);
                } else if (e.value() != null) {
                    out().line(text(e.value()));
                }
                if (e.value() == null) {
                    out().note("config.notSet", e.key().name());
                    return ExitCode.CHECK_FAILED.code();
                }
                return 0;
            }
        }
    }

    @Command(name = "set")
    static final class Set extends BaseCommand {
        @Parameters(index = "0", paramLabel = "KEY", descriptionKey = "config.key")
        String key;

        @Parameters(index = "1", paramLabel = "VALUE", descriptionKey = "config.value")
        String value;

        @Override
        int run() {
            try (Session session = openSession()) {
                ConfigService.Entry e = new ConfigService(session).set(key, value);
                if (out().json()) {
                    Map<String, Object> doc = Output.document();
                    doc.putAll(view(e));
                    out().printJson(doc);
                } else {
                    out().println("config.setDone", e.key().name(), text(e.value()));
                }
                return 0;
            }
        }
    }

    @Command(name = "unset")
    static final class Unset extends BaseCommand {
        @Parameters(index = "0", paramLabel = "KEY", descriptionKey = "config.key")
        String key;

        @Override
        int run() {
            try (Session session = openSession()) {
                ConfigService service = new ConfigService(session);
                boolean removed = service.unset(key);
                ConfigService.Entry e = service.get(key);
                if (out().json()) {
                    Map<String, Object> doc = Output.document();
                    doc.put("removed", removed);
                    doc.putAll(view(e));
                    out().printJson(doc);
                } else if (!removed) {
                    out().println("config.unsetNothing", e.key().name());
                } else if (e.value() == null) {
                    out().println("config.unsetDone", e.key().name());
                } else {
                    out().println("config.unsetDefault", e.key().name(), text(e.value()));
                }
                return 0;
            }
        }
    }

    @Command(name = "list")
    static final class ListKeys extends BaseCommand {
        @Override
        int run() {
            try (Session session = openSession()) {
                List<ConfigService.Entry> entries = new ConfigService(session).list();
                String userVariable = System.getenv(Identity.USER_VARIABLE);
                String committerVariable = System.getenv(Identity.COMMITTER_VARIABLE);
                if (out().json()) {
                    Map<String, Object> doc = Output.document();
                    doc.put("keys", entries.stream().map(ConfigCommand::view).toList());
                    Map<String, Object> environment = new LinkedHashMap<>();
                    environment.put(Identity.USER_VARIABLE, blankToNull(userVariable));
                    environment.put(Identity.COMMITTER_VARIABLE, blankToNull(committerVariable));
                    doc.put("environment", environment);
                    out().printJson(doc);
                    return 0;
                }
                for (ConfigService.Entry e : entries) {
                    String key = e.value() == null ? "config.listUnset" : e.set() ? "config.listSet" : "config.listDefault";
                    out().println(key, e.key().name(), text(e.value()));
                }
                if (blankToNull(userVariable) != null) {
                    out().println("config.userOverride", Identity.USER_VARIABLE, userVariable.strip());
                }
                return 0;
            }
        }

        private static String blankToNull(String value) {
            return value == null || value.isBlank() ? null : value.strip();
        }
    }
}
