package dev.dsv.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.dsv.error.ExitCode;
import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import dev.dsv.testing.Images;
import dev.dsv.testing.RepoSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;

/**
 * A small library that fuzz targets run dsv commands against, in-process. It holds the six 300 x 300
 * sample cells (batch/cell0001.png ... cell0006.png) with labels, committed on branch work; with a
 * remote, also the directory remote {@code remote} it was pushed to and a clone {@code clone} of it. A
 * target that changes these files, and a command that succeeds, make the next input start again from
 * a pristine copy; a command that fails must leave the library it ran in byte for byte as it was.
 */
final class FuzzLibrary {
    static final String LABELS = """
            path,cell_type,defects,regions,split
            cell0001.png,mono,crack,"[{""defect"":""crack"",""box"":[10.5,20,30,40]}]",train
            cell0002.png,mono,crack;finger-interruption,,train
            cell0003.png,mono,,,val
            cell0004.png,mono,microcrack,,val
            cell0005.png,poly,crack,,test
            cell0006.png,poly,microcrack,,test
            """;

    private final Path pristine;
    private final Path world;
    private final Path inputs;
    private boolean dirty;

    private FuzzLibrary(Path root) {
        this.pristine = root.resolve("pristine");
        this.world = root.resolve("world");
        this.inputs = root.resolve("in");
    }

    /** Creates the library under a new temporary folder that is deleted when the JVM exits. */
    static FuzzLibrary create() {
        return create(false);
    }

    /** Like {@link #create()}; with {@code remote}, also pushes the library and clones the remote. */
    static FuzzLibrary create(boolean remote) {
        try {
            Path root = Files.createTempDirectory("dsv-fuzz");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(root)));
            FuzzLibrary f = new FuzzLibrary(root);
            Files.createDirectories(f.pristine);
            ok(Dsv.run(f.pristine, "init", "lib"));
            Path lib = f.pristine.resolve("lib");
            ok(Dsv.run(lib, "switch", "-c", "work"));
            Path images = root.resolve("seed/batch");
            Images.copySample(images, 6);
            Path labels = Files.writeString(root.resolve("seed/labels.csv"), LABELS);
            ok(Dsv.run(lib, "add", images.toString(), "--labels", labels.toString(), "--source", "production",
                    "--labeler", "anna", "--labeled-at", "2024-05-02T08:00:00Z"));
            ok(Dsv.run(lib, "commit", "-m", "seed"));
            if (remote) {
                ok(Dsv.run(lib, "remote", "add", "origin", f.pristine.resolve("remote").toString()));
                ok(Dsv.run(lib, "push"));
                ok(Dsv.run(f.pristine, "clone", "remote", "clone"));
            }
            f.dirty = true;
            f.prepare();
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void ok(CliResult r) {
        assertEquals(0, r.exitCode(), r.toString());
    }

    /** Returns the library, or with a remote the folder {@code name} (lib, remote or clone) of the world. */
    Path path(String name) {
        return world.resolve(name);
    }

    Path library() {
        return path("lib");
    }

    /**
     * Puts a pristine copy of the world in place if the last input changed it. A target calls this
     * (or {@link #inputs()}) first; one that changes files of the world marks it with {@link #changed()}.
     */
    void prepare() {
        if (dirty) {
            delete(world);
            copy(pristine, world);
            dirty = false;
        }
    }

    /** Notes that the world differs from its pristine copy. */
    void changed() {
        dirty = true;
    }

    /** Puts a pristine world in place and returns an empty folder for one input's files. */
    Path inputs() {
        prepare();
        delete(inputs);
        try {
            return Files.createDirectories(inputs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code bytes} to {@code relative} under the input folder and returns the file. */
    Path write(String relative, byte[] bytes) {
        try {
            Path file = inputs.resolve(relative);
            Files.createDirectories(file.getParent());
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs one dsv command on the library and checks the contract for untrusted input: the command
     * succeeds or fails with a documented user error, never an internal error or a stack trace, and a
     * failed command leaves the repository unchanged.
     */
    CliResult run(String... args) {
        return runIn("lib", args);
    }

    /** Like {@link #run}, in the world's folder {@code name}. */
    CliResult runIn(String name, String... args) {
        Path library = path(name);
        Map<String, String> snapshot = RepoSnapshot.of(library);
        CliResult r = Dsv.run(library, args);
        if (Boolean.getBoolean("dsv.fuzz.verbose")) {
            System.err.println("dsv " + args[0] + " " + args[1] + ": exit " + r.exitCode() + " " + r.err().lines().findFirst().orElse(""));
        }
        assertNotEquals(ExitCode.INTERNAL.code(), r.exitCode(), () -> String.join(" ", args) + "\n" + r);
        assertFalse(r.err().contains("\tat "), () -> "stack trace in\n" + r);
        if (r.exitCode() == 0) {
            changed();
        } else {
            assertFalse(r.err().isBlank(), () -> "failure without a message\n" + r);
            assertEquals(snapshot, RepoSnapshot.of(library), () -> "repository changed by a failed command\n" + r);
        }
        return r;
    }

    private static void copy(Path from, Path to) {
        try (var walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (p.getFileName().toString().equals("remotes.json")) {
                    // The copy's remote is the copy of the remote.
                    Files.writeString(target, Files.readString(p).replace(from.toString(), to.toString()));
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
