package dev.dsv.ingest;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.error.Problem;
import dev.dsv.model.CanonicalJson;
import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Walks an added folder recursively and lists its files in path order. Dotfiles (such as
 * {@code .DS_Store}) and the labels file are skipped. A symbolic link is followed only when its
 * target lies inside the folder; one pointing out is a problem naming the link.
 */
public final class FolderScanner {
    private FolderScanner() {
    }

    /**
     * Lists the files under {@code folder}; adds a problem for each link that escapes it or loops.
     *
     * @param skip a file to leave out (the labels file), or null
     */
    public static List<SourceFile> scan(Path folder, Path skip, List<Problem> problems) {
        Path root;
        try {
            root = folder.toRealPath();
        } catch (IOException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.add.folderUnreadable", folder, e.getMessage());
        }
        Object skipKey = fileKeyOrNull(skip);
        List<SourceFile> files = new ArrayList<>();
        try {
            Files.walkFileTree(root, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                            if (!dir.equals(root) && dir.getFileName().toString().startsWith(".")) {
                                return FileVisitResult.SKIP_SUBTREE;
                            }
                            if (!dir.toRealPath().startsWith(root)) {
                                problems.add(new Problem("error.add.linkEscapes", dir, dir.toRealPath(), folder));
                                return FileVisitResult.SKIP_SUBTREE;
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                            if (file.getFileName().toString().startsWith(".") || !attrs.isRegularFile()) {
                                return FileVisitResult.CONTINUE;
                            }
                            if (skipKey != null && skipKey.equals(attrs.fileKey())) {
                                return FileVisitResult.CONTINUE;
                            }
                            // Folders were checked on the way in, so only a link itself can lead out.
                            if (Files.isSymbolicLink(file) && !file.toRealPath().startsWith(root)) {
                                problems.add(new Problem("error.add.linkEscapes", file, file.toRealPath(), folder));
                                return FileVisitResult.CONTINUE;
                            }
                            files.add(new SourceFile(file, relative(root, file), attrs.size(),
                                    attrs.lastModifiedTime().to(TimeUnit.NANOSECONDS), String.valueOf(attrs.fileKey())));
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFileFailed(Path file, IOException e) {
                            if (e instanceof FileSystemLoopException) {
                                problems.add(new Problem("error.add.linkLoop", file));
                            } else {
                                problems.add(new Problem("error.add.fileUnreadable", file, e.getMessage()));
                            }
                            return FileVisitResult.CONTINUE;
                        }
                    });
        } catch (IOException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.add.folderUnreadable", folder, e.getMessage());
        }
        files.sort(Comparator.comparing(SourceFile::relativePath, CanonicalJson.CODE_POINT_ORDER));
        return files;
    }

    /** Describes a single added file (not a folder) the same way. */
    public static SourceFile single(Path file) {
        try {
            BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
            return new SourceFile(file.toAbsolutePath(), CanonicalJson.nfc(file.getFileName().toString()), attrs.size(),
                    attrs.lastModifiedTime().to(TimeUnit.NANOSECONDS), String.valueOf(attrs.fileKey()));
        } catch (IOException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.add.fileUnreadable", file, e.getMessage());
        }
    }

    private static String relative(Path root, Path file) {
        StringBuilder sb = new StringBuilder();
        for (Path part : root.relativize(file)) {
            if (sb.length() > 0) {
                sb.append('/');
            }
            sb.append(part.toString());
        }
        return CanonicalJson.nfc(sb.toString());
    }

    private static Object fileKeyOrNull(Path p) {
        if (p == null) {
            return null;
        }
        try {
            return Files.readAttributes(p, BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }
}
