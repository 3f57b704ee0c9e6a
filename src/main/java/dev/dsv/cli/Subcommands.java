package dev.dsv.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;

/**
 * The subcommands of {@code dsv} by name, in the order of the usage help, and the ones a command
 * line needs. picocli reads the annotations of every registered command class when it builds the
 * command tree, which took about 90 % of the start-up of {@code dsv --version} with all 46
 * registered, so {@link Main} registers only the subcommand that the line names.
 */
final class Subcommands {
    /** Every subcommand; each key is the name in the class's {@code @Command} annotation. */
    static final Map<String, Class<?>> ALL = all();

    /** Subcommands that read the whole command tree: the usage help and the completion script. */
    private static final Set<String> WHOLE_TREE = Set.of("help", "completion");

    /** Root options that take a value in the next argument. */
    private static final Set<String> OPTIONS_WITH_VALUE = Set.of("-C", "--lock-timeout");

    private Subcommands() {
    }

    private static Map<String, Class<?>> all() {
        Map<String, Class<?>> m = new LinkedHashMap<>();
        m.put("init", InitCommand.class);
        m.put("add", AddCommand.class);
        m.put("status", StatusCommand.class);
        m.put("commit", CommitCommand.class);
        m.put("log", LogCommand.class);
        m.put("show", ShowCommand.class);
        m.put("ls", LsCommand.class);
        m.put("fsck", FsckCommand.class);
        m.put("reindex", ReindexCommand.class);
        m.put("diff", DiffCommand.class);
        m.put("label", LabelCommand.class);
        m.put("set", SetCommand.class);
        m.put("features", FeaturesCommand.class);
        m.put("rm", RmCommand.class);
        m.put("mv", MvCommand.class);
        m.put("export", ExportCommand.class);
        m.put("exports", ExportsCommand.class);
        m.put("verify", VerifyCommand.class);
        m.put("gc", GcCommand.class);
        m.put("purge", PurgeCommand.class);
        m.put("branch", BranchCommand.class);
        m.put("switch", SwitchCommand.class);
        m.put("tag", TagCommand.class);
        m.put("merge", MergeCommand.class);
        m.put("rollback", RollbackCommand.class);
        m.put("model", ModelCommand.class);
        m.put("promote", PromoteCommand.class);
        m.put("policy", PolicyCommand.class);
        m.put("config", ConfigCommand.class);
        m.put("trace", TraceCommand.class);
        m.put("people", PeopleCommand.class);
        m.put("gold", GoldCommand.class);
        m.put("migrate", MigrateCommand.class);
        m.put("guideline", GuidelineCommand.class);
        m.put("vocab", VocabCommand.class);
        m.put("check", CheckCommand.class);
        m.put("review", ReviewCommand.class);
        m.put("quality", QualityCommand.class);
        m.put("descriptors", DescriptorsCommand.class);
        m.put("leakage", LeakageCommand.class);
        m.put("split", SplitCommand.class);
        m.put("remote", RemoteCommand.class);
        m.put("push", PushCommand.class);
        m.put("fetch", FetchCommand.class);
        m.put("pull", PullCommand.class);
        m.put("clone", CloneCommand.class);
        m.put("completion", CompletionCommand.class);
        m.put("help", HelpCommand.class);
        return m;
    }

    /**
     * Builds the command line with every subcommand, from {@link DsvCommandTree}, so that the
     * completion script that {@code dsv completion} prints equals the one generated at build time.
     */
    static CommandLine full() {
        return new CommandLine(new DsvCommandTree());
    }

    /** Builds the command line with the subcommands that {@code args} needs; its command is a {@link DsvCommand}. */
    static CommandLine forArgs(String[] args) {
        Set<String> names = needed(args);
        if (names.equals(ALL.keySet())) {
            return full();
        }
        CommandLine cli = new CommandLine(new DsvCommand());
        for (String name : names) {
            cli.addSubcommand(name, ALL.get(name));
        }
        return cli;
    }

    /**
     * Returns the names of the subcommands that picocli needs to parse {@code args} as the full
     * tree would: the one named by the first argument that is not a root option or its value;
     * none for a line of root options that requests the version; else all of them, so that the
     * usage help, the completion script and the messages for an unknown command or option see
     * every command.
     */
    static Set<String> needed(String[] args) {
        boolean version = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--")) {
                break;
            }
            if (!arg.startsWith("-")) {
                return ALL.containsKey(arg) && !WHOLE_TREE.contains(arg) ? Set.of(arg) : ALL.keySet();
            }
            if (arg.equals("--help") || arg.matches("-[a-zA-Z]*h[a-zA-Z]*")) {
                return ALL.keySet();
            }
            version |= arg.equals("-V") || arg.equals("--version");
            if (OPTIONS_WITH_VALUE.contains(arg) || arg.matches("-[q]+C")) {
                i++;
            }
        }
        return version ? Set.of() : ALL.keySet();
    }
}
