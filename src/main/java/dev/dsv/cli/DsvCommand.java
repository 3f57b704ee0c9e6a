package dev.dsv.cli;

import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The top-level {@code dsv} command and the options every subcommand accepts. Its subcommands are
 * registered by {@link Subcommands}, only those that a command line needs.
 */
@Command(name = "dsv",
        resourceBundle = "dev.dsv.cli.Messages",
        mixinStandardHelpOptions = true,
        scope = ScopeType.INHERIT,
        versionProvider = VersionProvider.class)
public class DsvCommand implements Runnable {
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
