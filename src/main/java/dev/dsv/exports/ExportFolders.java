package dev.dsv.exports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.repo.Repository;
import dev.dsv.store.AtomicFiles;
import dev.dsv.store.StoreIOException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The export folders this repository wrote, as absolute paths in
 * {@code .dsv/export-folders.json} ({@code {"folders": [...]}}, in the order they were first
 * written), so that {@code dsv purge} can reach exported copies. A setting of one clone, never
 * pushed: the paths name one machine's folders and mount points.
 */
public final class ExportFolders {
    static final String FILE_NAME = "export-folders.json";

    private final Path file;

    public ExportFolders(Repository repository) {
        this.file = repository.dsvDir().resolve(FILE_NAME);
    }

    /** Returns the list file, {@code .dsv/export-folders.json}. */
    public Path file() {
        return file;
    }

    /** Returns the listed folders, none when the file does not exist. */
    public List<Path> list() {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw StoreIOException.of(file, e);
        }
        try {
            JsonNode folders = ExportService.JSON.readTree(bytes).path("folders");
            if (!folders.isArray()) {
                throw new IOException("the key \"folders\" is not an array");
            }
            List<Path> out = new ArrayList<>();
            for (JsonNode folder : folders) {
                if (!folder.isTextual()) {
                    throw new IOException("a folder is not a string: " + folder);
                }
                out.add(Path.of(folder.asText()));
            }
            return out;
        } catch (IOException | java.nio.file.InvalidPathException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.exportFolders.invalid", file, e.getMessage());
        }
    }

    /**
     * Adds {@code folder} (absolute and normalized) unless it is listed. The caller holds the
     * writer lock, because two exports that read the old list at once would each drop the other's
     * entry.
     */
    void add(Path folder) {
        Path absolute = folder.toAbsolutePath().normalize();
        Set<Path> folders = new LinkedHashSet<>(list());
        if (!folders.add(absolute)) {
            return;
        }
        ObjectNode doc = ExportService.JSON.createObjectNode();
        ArrayNode array = doc.putArray("folders");
        folders.forEach(f -> array.add(f.toString()));
        try {
            AtomicFiles.write(file, ExportService.JSON.writeValueAsBytes(doc));
        } catch (IOException e) {
            throw StoreIOException.of(file, e);
        }
    }
}
