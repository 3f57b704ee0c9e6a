package dev.dsv.repo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.model.ObjectId;
import dev.dsv.store.AtomicFiles;
import dev.dsv.store.PackStore;
import dev.dsv.store.StoreIOException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * An open dsv repository: the {@code .dsv} folder with its format version, configuration, refs,
 * stage, object store and metadata log. Opening checks the format version first, so no command
 * ever reads or writes a repository made by a newer dsv.
 */
public final class Repository implements AutoCloseable {
    /** The repository format that {@code dsv init} writes; older formats down to 1 are read and written too. */
    public static final int FORMAT_VERSION = 3;
    /** The first format whose label records may be of label version 2 (guideline, change). */
    public static final int LABEL_V2_FORMAT = 2;
    /** The first format whose image entries may name feature vectors ({@code vector} objects). */
    public static final int FEATURES_FORMAT = 3;
    public static final String DIR_NAME = ".dsv";
    public static final String DEFAULT_BRANCH = "main";

    private static final String FORMAT_MAGIC = "dsv-repository";
    /** Branch and tag names: letters and digits of any script, '.', '_', '-', parts joined by '/'. */
    private static final Pattern BRANCH_NAME = Pattern.compile("[\\p{L}\\p{N}][\\p{L}\\p{N}._-]*(/[\\p{L}\\p{N}][\\p{L}\\p{N}._-]*)*");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Path root;
    private final Path dsvDir;
    private final RepositoryConfig config;
    private final PackStore store;
    private final MetadataLog metadataLog;
    private final int formatVersion;

    private Repository(Path root, int formatVersion) {
        this.formatVersion = formatVersion;
        this.root = root;
        this.dsvDir = root.resolve(DIR_NAME);
        this.config = RepositoryConfig.read(dsvDir.resolve("config.json"));
        this.store = PackStore.open(dsvDir.resolve("objects"));
        this.metadataLog = new MetadataLog(dsvDir.resolve("meta").resolve("log"), store);
    }

    /**
     * Creates a repository in {@code dir} (made if needed). Fails when {@code dir} already contains
     * one, so that init never touches existing data.
     */
    public static Repository init(Path dir) {
        return init(dir, java.time.ZoneId.systemDefault());
    }

    /** Creates a repository whose labeling days are counted in the given time zone. */
    public static Repository init(Path dir, java.time.ZoneId timeZone) {
        Path root = dir.toAbsolutePath().normalize();
        Path dsv = root.resolve(DIR_NAME);
        if (Files.exists(dsv)) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.init.exists", root);
        }
        try {
            Files.createDirectories(root);
            Path tmp = root.resolve(DIR_NAME + ".init-" + ProcessHandle.current().pid());
            Files.createDirectories(tmp.resolve("objects").resolve("pack"));
            Files.createDirectories(tmp.resolve("refs").resolve("heads"));
            Files.createDirectories(tmp.resolve("meta"));
            AtomicFiles.write(tmp.resolve("config.json"), RepositoryConfig.defaults().withTimeZone(timeZone).toJson());
            AtomicFiles.write(tmp.resolve("HEAD"), ("ref: refs/heads/" + DEFAULT_BRANCH + "\n").getBytes(StandardCharsets.UTF_8));
            AtomicFiles.write(tmp.resolve("format"), (FORMAT_MAGIC + " " + FORMAT_VERSION + "\n").getBytes(StandardCharsets.UTF_8));
            // Built under another name and renamed, so a killed init leaves no half repository.
            Files.move(tmp, dsv, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            AtomicFiles.syncDirectory(root);
        } catch (IOException e) {
            throw StoreIOException.of(dsv, e);
        }
        return new Repository(root, FORMAT_VERSION);
    }

    /** Opens the repository whose {@code .dsv} folder is in {@code start} or one of its parents. */
    public static Repository open(Path start) {
        Path dir = start.toAbsolutePath().normalize();
        for (Path p = dir; p != null; p = p.getParent()) {
            Path format = p.resolve(DIR_NAME).resolve("format");
            if (Files.isRegularFile(format)) {
                return new Repository(p, checkFormat(format));
            }
        }
        throw new DsvException(ExitCode.NOT_A_REPOSITORY, "error.notARepository", dir);
    }

    /** Reads the format file and returns its version, rejecting one newer than this dsv knows. */
    private static int checkFormat(Path formatFile) {
        String text;
        try {
            text = Files.readString(formatFile, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new DsvException(ExitCode.NOT_A_REPOSITORY, e, "error.format.unreadable", formatFile, e.getMessage());
        }
        String[] parts = text.split("\\s+");
        if (parts.length != 2 || !parts[0].equals(FORMAT_MAGIC) || !parts[1].matches("\\d{1,9}")) {
            throw new DsvException(ExitCode.NOT_A_REPOSITORY, "error.format.unreadable", formatFile, text);
        }
        int version = Integer.parseInt(parts[1]);
        if (version > FORMAT_VERSION) {
            throw new DsvException(ExitCode.NEWER_FORMAT, "error.format.newer",
                    formatFile.getParent().getParent(), version, FORMAT_VERSION);
        }
        return version;
    }

    /** Returns the format version of this repository, as its format file states it when opened. */
    public int formatVersion() {
        return formatVersion;
    }

    /**
     * Rejects a write of label version 2 records (guideline, vocabulary change) into a repository
     * of an older format, naming {@code dsv migrate}; {@code what} names the request.
     */
    public void requireLabelV2(String what) {
        requireFormat(LABEL_V2_FORMAT, what);
    }

    /**
     * Rejects a write that needs format {@code minimum} (or later) in a repository of an older
     * format, with exit 3 naming {@code dsv migrate}; {@code what} names the request.
     */
    public void requireFormat(int minimum, String what) {
        if (formatVersion < minimum) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.format.needsMigrate", root, formatVersion,
                    what, minimum);
        }
    }

    /**
     * Rewrites the format file to {@code version} atomically; the caller holds the writer lock and
     * has checked the repository. Objects are untouched, so every id stays valid.
     */
    public void writeFormatVersion(int version) {
        Path file = dsvDir.resolve("format");
        try {
            AtomicFiles.write(file, (FORMAT_MAGIC + " " + version + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw StoreIOException.of(file, e);
        }
    }

    public Path root() {
        return root;
    }

    public Path dsvDir() {
        return dsvDir;
    }

    public RepositoryConfig config() {
        return config;
    }

    public PackStore store() {
        return store;
    }

    public MetadataLog metadataLog() {
        return metadataLog;
    }

    /** Returns the path of the SQLite index file. */
    public Path indexFile() {
        return dsvDir.resolve("index.sqlite");
    }

    /**
     * Takes the writer lock, waiting up to {@code timeout}, forgets packs that a gc in another
     * process deleted meanwhile, and removes pack files left by killed writers (safe only under
     * the lock, which no other writer holds).
     */
    public RepositoryLock lockForWrite(String command, Duration timeout) {
        RepositoryLock lock = RepositoryLock.acquire(dsvDir.resolve("lock"), timeout, command);
        try {
            store.forgetRemovedPacks();
            store.removeUnpublished();
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
        return lock;
    }

    /** Returns the branch HEAD names, such as {@code main}. */
    public String currentBranch() {
        Path head = dsvDir.resolve("HEAD");
        String text;
        try {
            text = Files.readString(head, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw StoreIOException.of(head, e);
        }
        if (!text.startsWith("ref: refs/heads/")) {
            throw new DsvException(ExitCode.INTEGRITY, "error.head.invalid", head, text);
        }
        return text.substring("ref: refs/heads/".length());
    }

    /** Returns the commit HEAD points at, or null in a repository without commits. */
    public ObjectId headCommit() {
        return readBranch(currentBranch());
    }

    /** The two kinds of named refs: branches move, tags never do. */
    public enum RefKind {
        BRANCH("heads"),
        TAG("tags");

        private final String folder;

        RefKind(String folder) {
            this.folder = folder;
        }
    }

    /** Returns the commit a branch points at, or null when the branch does not exist. */
    public ObjectId readBranch(String branch) {
        return readRef(RefKind.BRANCH, branch);
    }

    /** Returns the commit a branch or tag points at, or null when it does not exist. */
    public ObjectId readRef(RefKind kind, String name) {
        Path ref = refFile(kind, name);
        try {
            String text = Files.readString(ref, StandardCharsets.UTF_8).trim();
            if (!ObjectId.isValidHex(text)) {
                throw new DsvException(ExitCode.INTEGRITY, "error.ref.invalid", ref, text);
            }
            return ObjectId.parse(text);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw StoreIOException.of(ref, e);
        }
    }

    /** Lists the branch names in sorted order. */
    public List<String> branches() {
        return refs(RefKind.BRANCH);
    }

    /** Returns the commits every branch and tag points at, keyed by "refs/heads/NAME" or "refs/tags/NAME". */
    public java.util.Map<String, ObjectId> refTargets() {
        java.util.Map<String, ObjectId> out = new java.util.LinkedHashMap<>();
        for (String b : branches()) {
            ObjectId id = readBranch(b);
            if (id != null) {
                out.put("refs/heads/" + b, id);
            }
        }
        for (String t : tags()) {
            ObjectId id = readRef(RefKind.TAG, t);
            if (id != null) {
                out.put("refs/tags/" + t, id);
            }
        }
        out.putAll(remoteRefs());
        return out;
    }

    /** Remote names: letters, digits, '.', '_', '-', starting with a letter or digit. */
    private static final Pattern REMOTE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    /** Returns true when {@code name} can name a remote. */
    public static boolean isValidRemoteName(String name) {
        return REMOTE_NAME.matcher(name).matches() && !name.contains("..");
    }

    private Path remoteRefFile(String remote, String branch) {
        if (!isValidRemoteName(remote)) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.remote.invalidName", remote);
        }
        Path heads = refFile(RefKind.BRANCH, branch);
        return dsvDir.resolve("refs").resolve("remotes").resolve(remote)
                .resolve(dsvDir.resolve("refs").resolve("heads").relativize(heads).toString());
    }

    /**
     * Returns the remote-tracking ref {@code refs/remotes/REMOTE/BRANCH}: the commit of the
     * remote's branch when it was last fetched or pushed; null when unknown.
     */
    public ObjectId readRemoteRef(String remote, String branch) {
        Path ref = remoteRefFile(remote, branch);
        try {
            String text = Files.readString(ref, StandardCharsets.UTF_8).trim();
            if (!ObjectId.isValidHex(text)) {
                throw new DsvException(ExitCode.INTEGRITY, "error.ref.invalid", ref, text);
            }
            return ObjectId.parse(text);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw StoreIOException.of(ref, e);
        }
    }

    /** Sets a remote-tracking ref (null deletes it). The caller holds the writer lock. */
    public void writeRemoteRef(String remote, String branch, ObjectId target) {
        Path ref = remoteRefFile(remote, branch);
        try {
            if (target == null) {
                AtomicFiles.delete(ref);
            } else {
                AtomicFiles.write(ref, (target.hex() + "\n").getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw StoreIOException.of(ref, e);
        }
    }

    /** Returns every remote-tracking ref, keyed by "refs/remotes/REMOTE/BRANCH", sorted. */
    public java.util.Map<String, ObjectId> remoteRefs() {
        Path folder = dsvDir.resolve("refs").resolve("remotes");
        java.util.Map<String, ObjectId> out = new java.util.TreeMap<>();
        if (!Files.isDirectory(folder)) {
            return out;
        }
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
                String rel = folder.relativize(p).toString().replace('\\', '/');
                if (rel.contains("/.tmp-") || rel.startsWith(".tmp-") || rel.indexOf('/') < 0) {
                    continue;
                }
                String text = Files.readString(p, StandardCharsets.UTF_8).trim();
                if (ObjectId.isValidHex(text)) {
                    out.put("refs/remotes/" + rel, ObjectId.parse(text));
                }
            }
        } catch (IOException e) {
            throw StoreIOException.of(folder, e);
        }
        return out;
    }

    /** Deletes every remote-tracking ref of a remote. The caller holds the writer lock. */
    public void deleteRemoteRefs(String remote) {
        for (String key : remoteRefs().keySet()) {
            String rel = key.substring("refs/remotes/".length());
            if (rel.startsWith(remote + "/")) {
                writeRemoteRef(remote, rel.substring(remote.length() + 1), null);
            }
        }
    }

    /** Lists the tag names in sorted order. */
    public List<String> tags() {
        return refs(RefKind.TAG);
    }

    private List<String> refs(RefKind kind) {
        Path folder = dsvDir.resolve("refs").resolve(kind.folder);
        List<String> names = new ArrayList<>();
        if (!Files.isDirectory(folder)) {
            return names;
        }
        try (Stream<Path> files = Files.walk(folder)) {
            files.filter(Files::isRegularFile)
                    .map(p -> folder.relativize(p).toString().replace('\\', '/'))
                    .filter(n -> !n.contains("/.tmp-") && !n.startsWith(".tmp-"))
                    .sorted()
                    .forEach(names::add);
        } catch (IOException e) {
            throw StoreIOException.of(folder, e);
        }
        return names;
    }

    /**
     * Moves a branch from {@code expected} (null: the branch must not exist) to {@code target}.
     * The caller holds the writer lock; the check guards against a command that read the ref
     * before another writer moved it.
     */
    public void updateBranch(String branch, ObjectId expected, ObjectId target) {
        updateRef(RefKind.BRANCH, branch, expected, target);
    }

    /** Creates a tag; a tag that exists is never moved. The caller holds the writer lock. */
    public void createTag(String name, ObjectId target) {
        if (readRef(RefKind.TAG, name) != null) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.tag.exists", name);
        }
        updateRef(RefKind.TAG, name, null, target);
    }

    private void updateRef(RefKind kind, String name, ObjectId expected, ObjectId target) {
        Path file = refFile(kind, name);
        if (Files.isDirectory(file)) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.ref.nameIsFolder", name);
        }
        for (Path p = file.getParent(); !p.getFileName().toString().equals(kind.folder); p = p.getParent()) {
            if (Files.isRegularFile(p)) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.ref.parentIsRef", name,
                        dsvDir.resolve("refs").resolve(kind.folder).relativize(p).toString().replace('\\', '/'));
            }
        }
        ObjectId current = readRef(kind, name);
        if (current == null ? expected != null : !current.equals(expected)) {
            throw new DsvException(ExitCode.LOCKED, "error.ref.moved", name,
                    expected == null ? "-" : expected.hex(), current == null ? "-" : current.hex());
        }
        Path ref = refFile(kind, name);
        try {
            AtomicFiles.write(ref, (target.hex() + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw StoreIOException.of(ref, e);
        }
    }

    /** Deletes a branch; the caller holds the writer lock and has checked it is safe. */
    public void deleteBranch(String branch) {
        Path ref = refFile(RefKind.BRANCH, branch);
        try {
            AtomicFiles.delete(ref);
        } catch (IOException e) {
            throw StoreIOException.of(ref, e);
        }
    }

    /** Points HEAD at a branch, which need not have commits yet. The caller holds the writer lock. */
    public void setHead(String branch) {
        refFile(RefKind.BRANCH, branch);
        Path head = dsvDir.resolve("HEAD");
        try {
            AtomicFiles.write(head, ("ref: refs/heads/" + branch + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw StoreIOException.of(head, e);
        }
    }

    /** Checks a branch or tag name and returns its ref file. */
    private Path refFile(RefKind kind, String name) {
        if (!dev.dsv.model.CanonicalJson.nfc(name).equals(name) || !BRANCH_NAME.matcher(name).matches() || name.contains("..") || name.endsWith(".lock") || name.equals("HEAD")) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.branch.invalidName", name);
        }
        return dsvDir.resolve("refs").resolve(kind.folder).resolve(name);
    }

    /**
     * Returns the stage: the recorded one, or else HEAD's tree with HEAD as base ({@code tree}
     * null when there is no commit and nothing staged).
     */
    public Stage readStage(java.util.function.Function<ObjectId, ObjectId> treeOfCommit) {
        Path file = dsvDir.resolve("STAGE");
        try {
            byte[] bytes = Files.readAllBytes(file);
            JsonNode n = MAPPER.readTree(bytes);
            ObjectId base = n.hasNonNull("base") ? ObjectId.parse(n.get("base").asText()) : null;
            ObjectId tree = n.hasNonNull("tree") ? ObjectId.parse(n.get("tree").asText()) : null;
            return new Stage(base, tree);
        } catch (NoSuchFileException e) {
            ObjectId head = headCommit();
            return new Stage(head, head == null ? null : treeOfCommit.apply(head));
        } catch (IOException e) {
            throw new DsvException(ExitCode.INTEGRITY, e, "error.stage.invalid", file, e.getMessage());
        }
    }

    /** Records the stage atomically. The caller holds the writer lock. */
    public void writeStage(Stage stage) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("base", stage.base() == null ? null : stage.base().hex());
        n.put("tree", stage.tree() == null ? null : stage.tree().hex());
        Path file = dsvDir.resolve("STAGE");
        try {
            AtomicFiles.write(file, MAPPER.writeValueAsBytes(n));
        } catch (IOException e) {
            throw StoreIOException.of(file, e);
        }
    }

    /** Forgets the recorded stage, so that the stage is HEAD's tree again. */
    public void clearStage() {
        Path file = dsvDir.resolve("STAGE");
        try {
            AtomicFiles.delete(file);
        } catch (IOException e) {
            throw StoreIOException.of(file, e);
        }
    }

    /** Returns the lock timeout from the configuration. */
    public Duration configuredLockTimeout() {
        return Duration.ofSeconds(Math.max(0, config.lockTimeoutSeconds()));
    }

    @Override
    public void close() {
        store.close();
    }
}
