package dev.dsv.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.text.MessageFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.MissingResourceException;
import java.util.ResourceBundle;

/**
 * The output channels of a command: results on stdout (text, or exactly one JSON document with
 * {@code schema_version} under {@code --json}), messages and progress on stderr. User-facing text
 * comes from the {@code Messages} resource bundle.
 */
public final class Output {
    /** The version of every JSON document dsv prints; bumped only on an incompatible change. */
    public static final int SCHEMA_VERSION = 1;

    static final ObjectMapper JSON = new ObjectMapper()
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean json;
    private final ResourceBundle bundle;

    public Output(PrintWriter out, PrintWriter err, boolean json) {
        this.out = out;
        this.err = err;
        this.json = json;
        this.bundle = ResourceBundle.getBundle("dev.dsv.cli.Messages", Locale.getDefault());
    }

    public boolean json() {
        return json;
    }

    public PrintWriter out() {
        return out;
    }

    public PrintWriter err() {
        return err;
    }

    /** Formats a message from the bundle; an unknown key prints the key and its arguments. */
    public String text(String key, Object... args) {
        String pattern;
        try {
            pattern = bundle.getString(key);
        } catch (MissingResourceException e) {
            return key + " " + java.util.Arrays.toString(args);
        }
        return new MessageFormat(pattern, bundle.getLocale()).format(args);
    }

    /** Prints a message line on stdout (text mode only). */
    public void println(String key, Object... args) {
        if (!json) {
            out.println(text(key, args));
        }
    }

    /** Prints a literal line on stdout (text mode only). */
    public void line(String text) {
        if (!json) {
            out.println(text);
        }
    }

    /** Prints a message line on stderr, in both modes. */
    public void note(String key, Object... args) {
        err.println(text(key, args));
    }

    /** Starts a JSON document: a map that already contains {@code schema_version}. */
    public static Map<String, Object> document() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("schema_version", SCHEMA_VERSION);
        return doc;
    }

    /** Prints a JSON document on stdout. */
    public void printJson(Map<String, Object> document) {
        try {
            out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(document));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Opens a streaming JSON generator on stdout, for listings too large to hold in memory. */
    public JsonGenerator jsonGenerator() {
        try {
            return JSON.getFactory().createGenerator(out).useDefaultPrettyPrinter();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
