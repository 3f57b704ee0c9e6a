package dev.dsv.testing;

import dev.dsv.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs dsv commands in-process, as a user would type them, in a given folder. */
public final class Dsv {
    private Dsv() {
    }

    /** Runs {@code dsv -C dir ARGS...} and captures its streams. */
    public static CliResult run(Path dir, String... args) {
        List<String> all = new ArrayList<>();
        all.add("-C");
        all.add(dir.toString());
        all.addAll(List.of(args));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(all.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
        return new CliResult(code, out.toString(), err.toString());
    }
}
