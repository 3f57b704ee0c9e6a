package dev.dsv.cli;

import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The top-level {@code dsv} command and the options every subcommand accepts. */
@Command(name = "dsv",
        resourceBundle = "dev.dsv.cli.Messages",
        mixinStandardHelpOptions = true,
        scope = ScopeType.INHERIT,
        versionProvider = VersionProvider.class,
        subcommands = {
            InitCommand.class,
            AddCommand.class,
            StatusCommand.class,
            CommitCommand.class,
            LogCommand.class,
            ShowCommand.class,
            LsCommand.class,
            FsckCommand.class,
            ReindexCommand.class,
            DiffCommand.class,
            LabelCommand.class,
            SetCommand.class,
            FeaturesCommand.class,
            RmCommand.class,
            MvCommand.class,
            ExportCommand.class,
            ExportsCommand.class,
            VerifyCommand.class,
            GcCommand.class,
            PurgeCommand.class,
            BranchCommand.class,
            SwitchCommand.class,
            TagCommand.class,
            MergeCommand.class,
            RollbackCommand.class,
            ModelCommand.class,
            PromoteCommand.class,
            PolicyCommand.class,
            ConfigCommand.class,
            TraceCommand.class,
            PeopleCommand.class,
            GoldCommand.class,
            MigrateCommand.class,
            GuidelineCommand.class,
            VocabCommand.class,
            CheckCommand.class,
            ReviewCommand.class,
            QualityCommand.class,
            DescriptorsCommand.class,
            LeakageCommand.class,
            SplitCommand.class,
            RemoteCommand.class,
            PushCommand.class,
            FetchCommand.class,
            PullCommand.class,
            CloneCommand.class,
            CompletionCommand.class,
            HelpCommand.class
        })
public final class DsvCommand implements Runnable {
    @Option(names = "--json", scope = ScopeType.INHERIT, descriptionKey = "option.json")
    boolean json;

    @Option(names = "--debug", scope = ScopeType.INHERIT, descriptionKey = "option.debug")
    boolean debug;

    @Option(names = {"-q", "--quiet"}, scope = ScopeType.INHERIT, descriptionKey = "option.quiet")
    boolean quiet;

    @Option(names = "--no-color", scope = ScopeType.INHERIT, descriptionKey = "option.noColor")
    boolean noColor;

    @Option(names = "-C", scope = ScopeType.INHERIT, paramLabel = "DIR", descriptionKey = "option.directory")
    Path directory;

    @Option(names = "--lock-timeout", scope = ScopeType.INHERIT, paramLabel = "SECONDS",
            descriptionKey = "option.lockTimeout")
    Integer lockTimeoutSeconds;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                new Output(null, null, false).text("error.usage.noCommand"));
    }

    /** Returns the folder the command works in: {@code -C DIR} or the current folder. */
    Path workingDirectory() {
        return directory != null ? directory : Path.of("").toAbsolutePath();
    }
}
