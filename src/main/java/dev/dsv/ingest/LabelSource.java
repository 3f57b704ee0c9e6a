package dev.dsv.ingest;

import dev.dsv.error.Problem;
import java.util.List;

/**
 * Reads labels for an add. dsv's own CSV is the first implementation; importers for annotation
 * tool formats implement this too. Problems with the input (a malformed row) are added to
 * {@code problems} with the file and row, so that one pass reports them all.
 */
public interface LabelSource {
    List<LabelRow> read(List<Problem> problems);
}
