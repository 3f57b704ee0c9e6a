package dev.dsv.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a folder of distinct 16 x 16 PNGs ({@link TinyPng}) and its {@code labels.csv}: image k
 * goes to {@code CELL/GROUP/img-k.png}, where the cell type cycles through four types, GROUP is
 * {@code g} and k / groupSize in four digits, and every third image has a microcrack.
 */
public final class ImageBatch {
    public static final List<String> CELL_TYPES = List.of("PERC", "mono", "poly", "HJT");

    private ImageBatch() {
    }

    /** Writes images {@code 0..count-1} with PNG seeds {@code seedBase + k}; returns the labels file. */
    public static Path write(Path folder, long seedBase, int count, int groupSize) {
        try {
            Files.createDirectories(folder);
            Path labelsFile = folder.resolve("labels.csv");
            try (Writer labels = Files.newBufferedWriter(labelsFile, StandardCharsets.UTF_8)) {
                labels.write("path,cell_type,defects\n");
                for (int k = 0; k < count; k++) {
                    String cell = CELL_TYPES.get(k % CELL_TYPES.size());
                    String file = group(cell, k / groupSize) + "/img-" + k + ".png";
                    Files.createDirectories(folder.resolve(file).getParent());
                    TinyPng.write(folder.resolve(file), 16, 16, seedBase + k);
                    labels.write(file + "," + cell + "," + (k % 3 == 0 ? "microcrack" : "") + "\n");
                }
            }
            return labelsFile;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Returns the folder, relative to the batch, of group {@code number} of a cell type. */
    public static String group(String cellType, int number) {
        return cellType + "/g" + String.format("%04d", number);
    }
}
