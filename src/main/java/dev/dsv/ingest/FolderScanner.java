package dev.dsv.ingest;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.error.Problem;
import dev.dsv.model.CanonicalJson;
import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Walks an added folder recursively and lists its files. Dotfiles and dot folders (such as
 * {@code .DS_Store}) and the labels file are skipped. A symbolic link is followed only when its
 * target lies inside the folder; one pointing out is a problem naming the link, and so is a link
 * to a folder that contains it (a loop). A dangling link, a pipe or a device is left out.
 *
 * <p>Each entry costs one {@code lstat}; a symbolic link costs a {@code stat} and a real-path
 * lookup more.
 */
public final class FolderScanner {
    private FolderScanner() {
    }

    /**
     * Lists the files under {@code folder} in path order, with NFC relative paths; adds a problem
     * for each link that escapes it or loops.
     *
     * @param skip a file to leave out (the labels file), or null
     */
    public static List<SourceFile> scan(Path folder, Path skip, List<Problem> problems) {
        return inPathOrder(walk(folder, skip, problems));
    }

    /**
     * Lists the files under {@code folder} in the order the file system lists each folder, with
     * relative paths as the file system spells them (not normalized). The order is stable while
     * no folder changes, which is all the scan fingerprint needs, and costs no sort.
     *
     * @param skip a file to leave out (the labels file), or null
     */
    public static List<SourceFile> walk(Path folder, Path skip, List<Problem> problems) {
        Path root;
        try {
            root = folder.toRealPath();
        } catch (IOException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.add.folderUnreadable", folder, e.getMessage());
        }
        Object skipKey = fileKeyOrNull(skip);
        Walk walk = new Walk(folder, root, skipKey, problems);
        try {
            FileStats.Stat rootStat = FileStats.read(root);
            walk.folder(root, "", new ArrayList<>(List.of(rootStat.fileKey() == null ? root : rootStat.fileKey())));
        } catch (IOException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.add.folderUnreadable", folder, e.getMessage());
        }
        return walk.files;
    }

    /** Returns the files with NFC relative paths, sorted by relative path in code point order. */
    public static List<SourceFile> inPathOrder(List<SourceFile> walked) {
        List<SourceFile> files = new ArrayList<>(walked.size());
        for (SourceFile f : walked) {
            files.add(new SourceFile(f.file(), CanonicalJson.nfc(f.relativePath()), f.stat()));
        }
        files.sort(Comparator.comparing(SourceFile::relativePath, CanonicalJson.CODE_POINT_ORDER));
        return files;
    }

    /** The state of one walk: the files found so far and the problems. */
    private static final class Walk {
        final Path folder;
        final Path root;
        final Object skipKey;
        final List<Problem> problems;
        final List<SourceFile> files = new ArrayList<>();

        Walk(Path folder, Path root, Object skipKey, List<Problem> problems) {
            this.folder = folder;
            this.root = root;
            this.skipKey = skipKey;
            this.problems = problems;
        }

        /**
         * Lists one folder. {@code ancestors} contains the file keys of the folders from the root
         * down to this one (the paths where the file system has no file keys), to detect loops.
         */
        void folder(Path dir, String relative, List<Object> ancestors) throws IOException {
            List<Path> entries = new ArrayList<>();
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
                for (Path entry : stream) {
                    entries.add(entry);
                }
            } catch (DirectoryIteratorException e) {
                throw e.getCause();
            } catch (IOException e) {
                problems.add(new Problem("error.add.fileUnreadable", dir, e.getMessage()));
                return;
            }
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.startsWith(".")) {
                    continue;
                }
                FileStats.Stat stat;
                try {
                    stat = FileStats.read(entry, LinkOption.NOFOLLOW_LINKS);
                    if (stat.isSymbolicLink()) {
                        stat = followed(entry);
                        if (stat == null) {
                            continue;
                        }
                    }
                } catch (IOException e) {
                    problems.add(new Problem("error.add.fileUnreadable", entry, e.getMessage()));
                    continue;
                }
                String path = relative.isEmpty() ? name : relative + "/" + name;
                if (stat.isDirectory()) {
                    subfolder(entry, path, stat, ancestors);
                } else if (stat.isRegularFile() && (skipKey == null || !skipKey.equals(stat.fileKey()))) {
                    files.add(new SourceFile(entry, path, stat));
                }
            }
        }

        /**
         * Returns the stat of a link's target, or null for a dangling link or a link to a file
         * outside the root, which is also added as a problem. A link to a folder is checked when
         * the walk enters it.
         */
        private FileStats.Stat followed(Path link) throws IOException {
            FileStats.Stat target;
            try {
                target = FileStats.read(link);
            } catch (IOException dangling) {
                return null;
            }
            if (target.isRegularFile()) {
                Path real = link.toRealPath();
                if (!real.startsWith(root)) {
                    problems.add(new Problem("error.add.linkEscapes", link, real, folder));
                    return null;
                }
            }
            return target;
        }

        private void subfolder(Path dir, String relative, FileStats.Stat stat, List<Object> ancestors)
                throws IOException {
            Object key = stat.fileKey() == null ? dir.toRealPath() : stat.fileKey();
            if (ancestors.contains(key)) {
                problems.add(new Problem("error.add.linkLoop", dir));
                return;
            }
            Path real = dir.toRealPath();
            if (!real.startsWith(root)) {
                problems.add(new Problem("error.add.linkEscapes", dir, real, folder));
                return;
            }
            ancestors.add(key);
            folder(dir, relative, ancestors);
            ancestors.remove(ancestors.size() - 1);
        }
    }

    /** Describes a single added file (not a folder) the same way. */
    public static SourceFile single(Path file) {
        try {
            return new SourceFile(file.toAbsolutePath(), CanonicalJson.nfc(file.getFileName().toString()),
                    FileStats.read(file));
        } catch (IOException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.add.fileUnreadable", file, e.getMessage());
        }
    }

    private static Object fileKeyOrNull(Path p) {
        if (p == null) {
            return null;
        }
        try {
            return FileStats.read(p).fileKey();
        } catch (IOException e) {
            return null;
        }
    }
}
