package dev.dsv.remote;

import dev.dsv.repo.Repository;
import dev.dsv.store.AtomicFiles;
import dev.dsv.store.StoreIOException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;

/**
 * The branches marked site-local, one name per line in {@code .dsv/site-local-branches}: push
 * never uploads the blob of any image in their heads. A repository setting, never pushed.
 */
public final class SiteLocalBranches {
    private SiteLocalBranches() {
    }

    private static Path file(Repository repo) {
        return repo.dsvDir().resolve("site-local-branches");
    }

    /** Returns the marked branch names, sorted. */
    public static List<String> read(Repository repo) {
        Path f = file(repo);
        try {
            return new TreeSet<>(Files.readAllLines(f, StandardCharsets.UTF_8)).stream()
                    .map(String::trim).filter(s -> !s.isEmpty()).toList();
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw StoreIOException.of(f, e);
        }
    }

    /** Marks or unmarks a branch. The caller holds the writer lock. */
    public static void set(Repository repo, String branch, boolean siteLocal) {
        TreeSet<String> names = new TreeSet<>(read(repo));
        if (siteLocal) {
            names.add(branch);
        } else {
            names.remove(branch);
        }
        StringBuilder text = new StringBuilder();
        names.forEach(n -> text.append(n).append('\n'));
        try {
            AtomicFiles.write(file(repo), text.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw StoreIOException.of(file(repo), e);
        }
    }
}
