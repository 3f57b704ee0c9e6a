package dev.dsv.cli;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.error.Problem;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/**
 * The entry point. Maps every failure to a documented exit code: user-fixable errors
 * ({@link DsvException}) print their message only; anything else is an internal error, printed
 * with a stack trace under {@code --debug}.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        int code = run(args, out, err);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs dsv in-process with the given streams and returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = Subcommands.forArgs(args);
        DsvCommand root = cli.getCommand();
        cli.setOut(out);
        cli.setErr(err);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> handle(ex, root, out, err));
        cli.setParameterExceptionHandler((ex, args2) -> {
            Output o = new Output(out, err, root.json || List.of(args2).contains("--json"));
            // picocli writes its parse errors in English; the bundle may frame them in the user's language.
            reportError(o, Terminal.current(List.of(args2).contains("--no-color"), false), ExitCode.USAGE,
                    o.text("error.usage.parse", ex.getMessage()), List.of());
            if (!o.json()) {
                err.println(o.text("error.usage.hint", qualifiedName(ex.getCommandLine())));
            }
            return ExitCode.USAGE.code();
        });
        int code = cli.execute(args);
        out.flush();
        if (out.checkError() && code == 0) {
            err.println(new Output(out, err, false).text("error.prefix", new Output(out, err, false).text("error.stdout")));
            code = ExitCode.IO_ERROR.code();
        }
        err.flush();
        return code;
    }

    private static String qualifiedName(CommandLine cl) {
        return cl.getCommandSpec().qualifiedName();
    }

    private static int handle(Exception ex, DsvCommand root, PrintWriter out, PrintWriter err) {
        Output o = new Output(out, err, root.json);
        if (ex instanceof DsvException d) {
            List<String> details = new ArrayList<>();
            for (Problem p : d.problems()) {
                details.add(o.text(p.messageKey(), p.arguments()));
            }
            reportError(o, Terminal.current(root.noColor, root.quiet), d.exitCode(), o.text(d.messageKey(), d.arguments()), details);
            if (root.debug) {
                d.printStackTrace(err);
            }
            return d.exitCode().code();
        }
        reportError(o, Terminal.current(root.noColor, root.quiet), ExitCode.INTERNAL, o.text("error.internal", ex.toString()), List.of());
        if (root.debug) {
            ex.printStackTrace(err);
        }
        return ExitCode.INTERNAL.code();
    }

    private static void reportError(Output o, Terminal terminal, ExitCode code, String message, List<String> details) {
        if (o.json()) {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("code", code.id());
            error.put("exit_code", code.code());
            error.put("message", message);
            if (!details.isEmpty()) {
                error.put("problems", details);
            }
            Map<String, Object> doc = Output.document();
            doc.put("error", error);
            o.printJson(doc);
        } else {
            o.err().println(terminal.paint(Terminal.RED, o.text("error.prefix", message)));
            for (String d : details) {
                o.err().println("  - " + d);
            }
        }
    }
}
