package dev.dsv.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dsv.error.Problem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The folder walk: what it lists, what it skips, and the links it rejects. */
class FolderScannerTest {
    @TempDir
    Path tmp;

    private static List<String> paths(List<SourceFile> files) {
        return files.stream().map(SourceFile::relativePath).toList();
    }

    private static List<String> keys(List<Problem> problems) {
        return problems.stream().map(Problem::messageKey).toList();
    }

    @Test
    void scanSkipsDotFilesAndLabels() throws Exception {
        Path folder = Files.createDirectories(tmp.resolve("batch"));
        Files.createDirectories(folder.resolve("b"));
        Files.createDirectories(folder.resolve(".git"));
        Files.writeString(folder.resolve("b/2.png"), "x");
        Files.writeString(folder.resolve("a.png"), "x");
        Files.writeString(folder.resolve("b-1.png"), "x");
        Files.writeString(folder.resolve(".DS_Store"), "x");
        Files.writeString(folder.resolve(".git/config"), "x");
        Path labels = Files.writeString(folder.resolve("labels.csv"), "path\n");
        List<Problem> problems = new ArrayList<>();

        List<SourceFile> files = FolderScanner.scan(folder, labels, problems);

        assertEquals(List.of(), problems);
        assertEquals(List.of("a.png", "b-1.png", "b/2.png"), paths(files), "code point order: '-' before '/'");
        assertEquals(folder.toRealPath().resolve("b/2.png"), files.get(2).file());
    }

    @Test
    void walkOrderIsStable() throws Exception {
        Path folder = Files.createDirectories(tmp.resolve("batch"));
        for (int i = 0; i < 50; i++) {
            Files.writeString(folder.resolve("cell-" + i + ".png"), "x");
        }

        List<String> first = paths(FolderScanner.walk(folder, null, new ArrayList<>()));
        List<String> second = paths(FolderScanner.walk(folder, null, new ArrayList<>()));

        assertEquals(50, first.size());
        assertEquals(first, second);
    }

    @Test
    void linkInsideIsFollowed() throws Exception {
        Path folder = Files.createDirectories(tmp.resolve("batch"));
        Path image = Files.writeString(folder.resolve("a.png"), "abc");
        Files.createSymbolicLink(folder.resolve("alias.png"), image);
        Files.createSymbolicLink(folder.resolve("dangling.png"), folder.resolve("gone.png"));
        List<Problem> problems = new ArrayList<>();

        List<SourceFile> files = FolderScanner.scan(folder, null, problems);

        assertEquals(List.of(), problems);
        assertEquals(List.of("a.png", "alias.png"), paths(files), "a dangling link is left out");
        assertEquals(3, files.get(1).size(), "a link has its target's stat");
    }

    @Test
    void linksOutAndLoopsAreProblems() throws Exception {
        Path folder = Files.createDirectories(tmp.resolve("batch"));
        Files.createDirectories(folder.resolve("sub"));
        Path outside = Files.writeString(tmp.resolve("outside.png"), "x");
        Files.createSymbolicLink(folder.resolve("out.png"), outside);
        Files.createSymbolicLink(folder.resolve("sub/up"), folder);
        Files.createSymbolicLink(folder.resolve("parent"), tmp);
        List<Problem> problems = new ArrayList<>();

        List<SourceFile> files = FolderScanner.scan(folder, null, problems);

        assertEquals(List.of(), files);
        List<String> found = keys(problems);
        assertEquals(3, found.size(), found.toString());
        assertTrue(found.contains("error.add.linkLoop"), found.toString());
        assertEquals(2, found.stream().filter("error.add.linkEscapes"::equals).count(), found.toString());
    }
}
