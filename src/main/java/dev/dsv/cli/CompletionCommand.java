package dev.dsv.cli;

import java.util.Map;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code dsv completion [bash|zsh]}: prints the shell completion script that picocli generates
 * from dsv's commands and options. One script serves both shells, because under zsh it loads
 * zsh's bashcompinit itself.
 */
@Command(name = "completion")
final class CompletionCommand extends BaseCommand {
    enum Shell { bash, zsh }

    @Parameters(paramLabel = "SHELL", arity = "0..1", defaultValue = "bash", descriptionKey = "completion.shell")
    Shell shell;

    @Override
    int run() {
        String script = AutoComplete.bash("dsv", spec.root().commandLine());
        if (out().json()) {
            Map<String, Object> doc = Output.document();
            doc.put("shell", shell.name());
            doc.put("script", script);
            out().printJson(doc);
        } else {
            out().out().print(script);
        }
        return 0;
    }
}
