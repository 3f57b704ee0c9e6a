package dev.dsv.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reading of the JSON files that annotation tools export, with numbers kept as decimals. */
final class AnnotationJson {
    static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private AnnotationJson() {
    }

    /**
     * Parses {@code file}. A missing or unreadable file, malformed JSON (named as
     * {@code FILE:LINE:COLUMN}) or a number out of BigDecimal's range raises exit 3. Returns null for an empty file.
     */
    static JsonNode read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.labels.notFound", file);
        }
        try {
            return JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? file.toString()
                    : file + ":" + e.getLocation().getLineNr() + ":" + e.getLocation().getColumnNr();
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.coco.malformed", where, e.getOriginalMessage());
        } catch (NumberFormatException e) {
            // Jackson raises this outside JsonProcessingException for a decimal whose exponent does
            // not fit BigDecimal's scale, such as 1e-9999999999.
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.coco.malformed", file, e.getMessage());
        } catch (IOException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.labels.unreadable", file, String.valueOf(e.getMessage()));
        }
    }
}
