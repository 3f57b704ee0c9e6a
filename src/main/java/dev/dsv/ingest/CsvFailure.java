package dev.dsv.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import java.nio.file.Path;

/**
 * Turns a CSV parse failure from Jackson into an invalid-input error that names the file and line.
 * Jackson's row iterator throws an unchecked mapping exception whose message carries its own
 * internals (a reference chain into the array type); the first cause with a location holds the
 * parser's plain reason and the line it stopped on.
 */
public final class CsvFailure {
    private CsvFailure() {
    }

    /** The error for {@code e}, thrown while reading {@code file} as CSV. */
    public static DsvException malformed(Path file, Throwable e) {
        JsonProcessingException parse = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof JsonProcessingException p) {
                parse = p;
                if (p.getLocation() != null && p.getLocation().getLineNr() > 0) {
                    break;
                }
            }
            if (t.getCause() == t) {
                break;
            }
        }
        String where = parse == null || parse.getLocation() == null || parse.getLocation().getLineNr() <= 0
                ? file.toString() : file + ":" + parse.getLocation().getLineNr();
        String reason = parse == null ? String.valueOf(e.getMessage()) : parse.getOriginalMessage();
        int cut = reason.indexOf(" (through reference chain");
        if (cut >= 0) {
            reason = reason.substring(0, cut);
        }
        return new DsvException(ExitCode.INVALID_INPUT, e, "error.csv.malformed", where, reason.strip());
    }
}
