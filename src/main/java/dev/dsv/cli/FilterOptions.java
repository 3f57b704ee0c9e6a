package dev.dsv.cli;

import dev.dsv.index.ImageFilter;
import picocli.CommandLine.Option;

/** The image filter options shared by ls, export, verify and diff. */
final class FilterOptions {
    @Option(names = "--cell-type", paramLabel = "TYPE", descriptionKey = "ls.cellType")
    String cellType;

    @Option(names = "--defect", paramLabel = "DEFECT", descriptionKey = "ls.defect")
    String defect;

    @Option(names = "--split", paramLabel = "SPLIT", descriptionKey = "ls.split")
    String split;

    @Option(names = "--source", paramLabel = "SOURCE", descriptionKey = "ls.source")
    String source;

    @Option(names = "--path", paramLabel = "FOLDER", descriptionKey = "ls.path")
    String folder;

    /** Returns the filter as given, before the values are checked against the vocabularies. */
    ImageFilter toFilter() {
        return new ImageFilter(cellType, defect, split, source, folder);
    }
}
