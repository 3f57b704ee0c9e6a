package dev.dsv.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import java.nio.file.Path;

/**
 * Converter from a Jackson CSV parse failure to an invalid-input error that names the file and line.
 * Jackson's row iterator wraps the parse error in an unchecked mapping exception, and that message
 * adds Jackson internals (a reference chain). The first cause with a location contains the plain
 * reason and the line where parsing stopped.
 */
public final class CsvFailure {
    private CsvFailure() {
    }

    /** Returns the exit-3 error for {@code e}, thrown while reading {@code file} as CSV. */
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
