package dev.dsv.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.ColorScheme;
import picocli.CommandLine.IHelpCommandInitializable2;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/**
 * {@code dsv help [COMMAND...]}: prints the usage help of a command at any depth, such as
 * {@code dsv help review sample}. picocli's own help command (4.7.7) reads only the first name and
 * prints the help of {@code review} for that line.
 */
@Command(name = "help", helpCommand = true)
final class HelpCommand implements IHelpCommandInitializable2, Runnable {
    @Option(names = {"-h", "--help"}, usageHelp = true, descriptionKey = "helpCommand.help")
    boolean helpRequested;

    @Parameters(paramLabel = "COMMAND", arity = "0..*", descriptionKey = "helpCommand.command")
    List<String> commands = new ArrayList<>();

    private CommandLine self;
    private ColorScheme colorScheme;
    private PrintWriter out;

    @Override
    public void init(CommandLine helpCommandLine, ColorScheme colorScheme, PrintWriter out, PrintWriter err) {
        this.self = helpCommandLine;
        this.colorScheme = colorScheme;
        this.out = out;
    }

    @Override
    public void run() {
        CommandLine current = self.getParent();
        for (String name : commands) {
            CommandLine next = current.getSubcommands().get(name);
            if (next == null) {
                String message = new Output(null, null, false).text("error.help.unknownCommand", name,
                        current.getCommandSpec().qualifiedName());
                throw new ParameterException(current, message);
            }
            current = next;
        }
        current.usage(out, colorScheme);
    }
}
