package dev.dsv.ingest;

import java.util.List;

/** The staged images an annotation-format importer matches its entries against. */
public interface StagedImages {
    /** Returns true when the stage contains an image at the dataset path. */
    boolean contains(String datasetPath);

    /** Returns the pixel size of the staged image at the dataset path. */
    ImageSize size(String datasetPath);

    /** Returns the staged dataset paths that equal {@code stem} once their file extension is dropped. */
    List<String> pathsWithStem(String stem);

    /** Returns the staged dataset paths whose last segment equals {@code fileName}. */
    List<String> pathsWithFileName(String fileName);
}
