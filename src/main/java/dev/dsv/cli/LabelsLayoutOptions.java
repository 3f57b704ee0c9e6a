package dev.dsv.cli;

import dev.dsv.ingest.CsvLayout;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** The labels-file layout options shared by {@code dsv add} and {@code dsv label import}. */
final class LabelsLayoutOptions {
    @Option(names = "--columns", paramLabel = "DSV=FILE[,...]", descriptionKey = "layout.columns")
    String columns;

    @Option(names = "--columns-file", paramLabel = "FILE", descriptionKey = "layout.columnsFile")
    Path columnsFile;

    @Option(names = "--no-header", descriptionKey = "layout.noHeader")
    boolean noHeader;

    @Option(names = "--delimiter", paramLabel = "D", descriptionKey = "layout.delimiter")
    String delimiter;

    @Option(names = "--map", paramLabel = "COLUMN:VALUE=NEW", descriptionKey = "layout.map")
    List<String> valueRules;

    /** Returns true when any layout option was given. */
    boolean given() {
        return columns != null || columnsFile != null || noHeader || delimiter != null
                || (valueRules != null && !valueRules.isEmpty());
    }

    /** Builds the layout; {@code workingDirectory} resolves a relative {@code --columns-file}. */
    CsvLayout toLayout(Path workingDirectory) {
        Path file = columnsFile == null ? null : workingDirectory.resolve(columnsFile);
        return CsvLayout.fromOptions(delimiter, noHeader, columns, file, valueRules);
    }
}
