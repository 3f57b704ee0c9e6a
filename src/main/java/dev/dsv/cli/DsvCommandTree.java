package dev.dsv.cli;

import picocli.CommandLine.Command;

/**
 * The {@code dsv} command with every subcommand declared in its annotation: the command line when
 * the whole tree is needed (see {@link Subcommands}), and the class that the build-time generators
 * of the man pages and the completion script read. SubcommandsTest checks that it lists the same
 * subcommands in the same order as {@link Subcommands#ALL}.
 */
@Command(name = "dsv",
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
public final class DsvCommandTree extends DsvCommand {
}
