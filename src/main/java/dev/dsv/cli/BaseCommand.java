package dev.dsv.cli;

import dev.dsv.service.Progress;
import dev.dsv.service.Session;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Shared plumbing of subcommands: global options, output, opening the repository. */
abstract class BaseCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    private Output output;

    /** Returns the top-level command, which contains the global options. */
    DsvCommand rootCommand() {
        return (DsvCommand) spec.root().userObject();
    }

    Output out() {
        if (output == null) {
            output = new Output(spec.commandLine().getOut(), spec.commandLine().getErr(), rootCommand().json);
        }
        return output;
    }

    /** Opens the repository that contains the working folder and applies {@code --lock-timeout}. */
    Session openSession() {
        java.nio.file.Path dir = rootCommand().workingDirectory();
        if (!java.nio.file.Files.isDirectory(dir)) {
            throw new dev.dsv.error.DsvException(dev.dsv.error.ExitCode.NOT_A_REPOSITORY, "error.folderMissing", dir);
        }
        Session session = Session.open(dir);
        if (rootCommand().lockTimeoutSeconds != null) {
            session.setLockTimeout(Duration.ofSeconds(Math.max(0, rootCommand().lockTimeoutSeconds)));
        }
        return session;
    }

    /** The terminal this command runs on, with the global {@code --no-color} and {@code --quiet}. */
    Terminal terminal() {
        return Terminal.current(rootCommand().noColor, rootCommand().quiet);
    }

    Progress progress() {
        return TerminalProgress.forConsole(spec.commandLine().getErr(), terminal());
    }

    @Override
    public final Integer call() {
        return run();
    }

    /** Runs the command and returns its exit code; failures are thrown as exceptions. */
    abstract int run();
}
