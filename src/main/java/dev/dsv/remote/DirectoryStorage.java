package dev.dsv.remote;

import dev.dsv.error.IntegrityException;
import dev.dsv.store.AtomicFiles;
import dev.dsv.store.FileIo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A remote in a folder: a local disk or a mounted NAS share. A plain key is the file
 * {@code ROOT/KEY}, written as a temporary file in {@code ROOT/tmp/} that is fsynced and renamed
 * into place. A CAS key is the folder {@code ROOT/KEY@cas/} of numbered versions; a new version is
 * created as a hard link, which fails when the name exists, so exactly one writer creates it.
 */
public final class DirectoryStorage implements RemoteStorage {
    static final String CAS_SUFFIX = "@cas";
    private static final String VERSION_PREFIX = "v";
    private static final int KEEP_VERSIONS = 8;

    private final Path root;
    private final String url;

    public DirectoryStorage(Path root, String url) {
        this.root = root.toAbsolutePath().normalize();
        this.url = url;
    }

    public Path root() {
        return root;
    }

    @Override
    public String describe() {
        return url;
    }

    private Path file(String key) {
        return root.resolve(Keys.check(key));
    }

    private Path casFolder(String key) {
        return root.resolve(Keys.check(key) + CAS_SUFFIX);
    }

    private RemoteStorageException failure(String key, IOException e) {
        String detail = e instanceof FileSystemException fse && fse.getReason() != null
                ? fse.getReason() : String.valueOf(e.getMessage());
        return new RemoteStorageException(url, key, detail, !isPermanent(e, detail), e);
    }

    /** Full disks, quotas, read-only mounts and denied permissions do not heal by retrying. */
    private static boolean isPermanent(IOException e, String detail) {
        return e instanceof AccessDeniedException || detail.contains("No space left")
                || detail.contains("Disk quota exceeded") || detail.contains("Read-only file system")
                || detail.contains("Permission denied") || e instanceof NoSuchFileException;
    }

    @Override
    public byte[] get(String key) {
        try {
            return readSmall(key, file(key));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw failure(key, e);
        }
    }

    /**
     * Reads a small key's file, refusing what is not a regular file (a pipe would block the read, a
     * device would never end) and a file over {@link #SMALL_KEY_LIMIT} bytes.
     */
    private byte[] readSmall(String key, Path f) throws IOException {
        checkRegularFile(key, f, SMALL_KEY_LIMIT);
        try (InputStream in = Files.newInputStream(f)) {
            byte[] bytes = in.readNBytes((int) SMALL_KEY_LIMIT + 1);
            if (bytes.length > SMALL_KEY_LIMIT) {
                throw new IntegrityException("error.remote.tooLarge", key, url, SMALL_KEY_LIMIT);
            }
            return bytes;
        }
    }

    /** Throws an integrity error unless {@code f} is a regular file of at most {@code maxBytes} bytes. */
    private void checkRegularFile(String key, Path f, long maxBytes) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(f, BasicFileAttributes.class);
        if (!attributes.isRegularFile()) {
            throw new IntegrityException("error.remote.notAFile", key, url);
        }
        if (attributes.size() > maxBytes) {
            throw new IntegrityException("error.remote.tooLarge", key, url, maxBytes);
        }
    }

    @Override
    public InputStream getRange(String key, long offset, long length) {
        Path f = file(key);
        try {
            checkRegularFile(key, f, Long.MAX_VALUE);
            FileChannel ch = FileChannel.open(f, StandardOpenOption.READ);
            if (offset < 0 || length < 0 || ch.size() < offset + length) {
                long size = ch.size();
                ch.close();
                throw new RemoteStorageException(url, key, "the file has " + size + " bytes, fewer than the range "
                        + offset + "+" + length, false, null);
            }
            ch.position(offset);
            return new BoundedInputStream(Channels.newInputStream(ch), length, true);
        } catch (IOException e) {
            throw failure(key, e);
        }
    }


    @Override
    public boolean download(String key, Path target, long maxBytes) {
        try {
            checkRegularFile(key, file(key), maxBytes);
            Files.copy(file(key), target, StandardCopyOption.REPLACE_EXISTING);
            if (Files.size(target) > maxBytes) {
                // The file grew while it was copied.
                Files.delete(target);
                throw new IntegrityException("error.remote.tooLarge", key, url, maxBytes);
            }
            return true;
        } catch (NoSuchFileException e) {
            if (e.getFile() != null && e.getFile().equals(file(key).toString())) {
                return false;
            }
            throw failure(key, e);
        } catch (IOException e) {
            throw failure(key, e);
        }
    }

    /** Writes bytes (or copies a file) into a new temporary file in {@code tmp/} and fsyncs it. */
    private Path writeTemporary(String key, byte[] bytes, Path source) {
        Path tmpDir = root.resolve("tmp");
        Path tmp = tmpDir.resolve("tmp-" + UUID.randomUUID());
        try {
            Files.createDirectories(tmpDir);
            FileIo io = FileIo.current();
            try (FileChannel ch = io.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                if (bytes != null) {
                    FileIo.writeFully(ch, java.nio.ByteBuffer.wrap(bytes));
                } else {
                    try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ)) {
                        long size = in.size();
                        long done = 0;
                        while (done < size) {
                            done += in.transferTo(done, size - done, ch);
                        }
                    }
                }
                io.force(ch);
            }
            return tmp;
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw failure(key, e);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // A leftover file in tmp/ is never read; the next probe or push may remove it.
        }
    }

    private void publish(String key, Path tmp) {
        Path target = file(key);
        try {
            Files.createDirectories(target.getParent());
            FileIo.current().move(tmp, target);
            AtomicFiles.syncDirectory(target.getParent());
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw failure(key, e);
        }
    }

    @Override
    public void put(String key, byte[] bytes) {
        publish(key, writeTemporary(key, bytes, null));
    }

    @Override
    public void upload(String key, Path source) {
        publish(key, writeTemporary(key, null, source));
    }

    @Override
    public boolean putIfAbsent(String key, byte[] bytes) {
        Path target = file(key);
        if (Files.exists(target)) {
            return false;
        }
        Path tmp = writeTemporary(key, bytes, null);
        try {
            Files.createDirectories(target.getParent());
            Files.createLink(target, tmp);
            AtomicFiles.syncDirectory(target.getParent());
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            throw failure(key, e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    /** Returns the version file names of a CAS key, oldest first; empty when the key does not exist. */
    private List<String> versions(String key) {
        Path folder = casFolder(key);
        List<String> names = new ArrayList<>();
        try (Stream<Path> files = Files.list(folder)) {
            files.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith(VERSION_PREFIX) && n.length() == 21 && n.substring(1).chars().allMatch(Character::isDigit))
                    .sorted()
                    .forEach(names::add);
        } catch (NoSuchFileException e) {
            return names;
        } catch (IOException e) {
            throw failure(key, e);
        }
        return names;
    }

    private static String versionName(long n) {
        return VERSION_PREFIX + String.format("%020d", n);
    }

    @Override
    public Versioned getVersioned(String key) {
        // A version may be pruned between listing and reading; the newest is never pruned, so a
        // second listing finds it.
        for (int attempt = 0; attempt < 3; attempt++) {
            List<String> names = versions(key);
            if (names.isEmpty()) {
                return null;
            }
            String newest = names.get(names.size() - 1);
            try {
                return new Versioned(readSmall(key, casFolder(key).resolve(newest)), newest);
            } catch (NoSuchFileException e) {
                continue;
            } catch (IOException e) {
                throw failure(key, e);
            }
        }
        throw new RemoteStorageException(url, key, "versions kept disappearing while reading", true, null);
    }

    @Override
    public String compareAndSwap(String key, String expectedVersion, byte[] bytes) {
        List<String> names = versions(key);
        String current = names.isEmpty() ? null : names.get(names.size() - 1);
        if (current == null ? expectedVersion != null : !current.equals(expectedVersion)) {
            return null;
        }
        long next = current == null ? 1 : Long.parseLong(current.substring(1)) + 1;
        String name = versionName(next);
        Path folder = casFolder(key);
        Path tmp = writeTemporary(key, bytes, null);
        try {
            Files.createDirectories(folder);
            // The exclusive step: link(2) fails when the name exists, so one writer wins.
            Files.createLink(folder.resolve(name), tmp);
            AtomicFiles.syncDirectory(folder);
        } catch (FileAlreadyExistsException e) {
            return null;
        } catch (IOException e) {
            throw failure(key, e);
        } finally {
            deleteQuietly(tmp);
        }
        prune(key, next);
        return name;
    }

    /** Deletes all but the newest versions of a CAS key. */
    private void prune(String key, long newest) {
        for (String n : versions(key)) {
            if (Long.parseLong(n.substring(1)) <= newest - KEEP_VERSIONS) {
                deleteQuietly(casFolder(key).resolve(n));
            }
        }
    }

    @Override
    public List<KeyInfo> list(String prefix) {
        Keys.checkPrefix(prefix);
        int slash = prefix.lastIndexOf('/');
        Path start = slash < 0 ? root : root.resolve(prefix.substring(0, slash));
        List<KeyInfo> out = new ArrayList<>();
        if (!Files.isDirectory(start)) {
            return out;
        }
        try (Stream<Path> walk = Files.walk(start)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                String rel = root.relativize(p).toString().replace('\\', '/');
                if (rel.isEmpty() || rel.equals("tmp") || rel.startsWith("tmp/")) {
                    continue;
                }
                if (rel.endsWith(CAS_SUFFIX) && Files.isDirectory(p)) {
                    String key = rel.substring(0, rel.length() - CAS_SUFFIX.length());
                    if (key.startsWith(prefix)) {
                        out.add(new KeyInfo(key, -1));
                    }
                } else if (!rel.contains(CAS_SUFFIX) && Files.isRegularFile(p) && rel.startsWith(prefix)) {
                    out.add(new KeyInfo(rel, Files.size(p)));
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            IOException io = e instanceof IOException i ? i : ((java.io.UncheckedIOException) e).getCause();
            throw failure(prefix, io);
        }
        out.sort(java.util.Comparator.comparing(KeyInfo::key));
        return out;
    }

    @Override
    public void delete(String key) {
        try {
            Files.deleteIfExists(file(key));
        } catch (IOException e) {
            throw failure(key, e);
        }
    }

    @Override
    public Capabilities probe() {
        String key = "tmp/probe-" + UUID.randomUUID();
        Path probe = file(key);
        Path tmp = null;
        if (Files.exists(root) && !Files.isDirectory(root)) {
            throw new dev.dsv.error.DsvException(dev.dsv.error.ExitCode.INVALID_INPUT, "error.remote.notFolder", root);
        }
        if (!Files.isDirectory(root) && (root.getParent() == null || !Files.isDirectory(root.getParent()))) {
            // A missing parent is a typo or a share that is not mounted: dsv makes the last folder only.
            throw new dev.dsv.error.DsvException(dev.dsv.error.ExitCode.INVALID_INPUT, "error.remote.parentMissing",
                    root, root.getParent());
        }
        try {
            Files.createDirectories(root);
            tmp = writeTemporary(key, new byte[] {1}, null);
            Files.createLink(probe, tmp);
            try {
                Files.createLink(probe, tmp);
                return new Capabilities(false, "creating a hard link over an existing name succeeded in " + root);
            } catch (FileAlreadyExistsException expected) {
                return new Capabilities(true, "exclusive hard links in " + root);
            }
        } catch (UnsupportedOperationException e) {
            return new Capabilities(false, "the file system of " + root + " has no hard links");
        } catch (IOException e) {
            throw failure(key, e);
        } finally {
            deleteQuietly(probe);
            if (tmp != null) {
                deleteQuietly(tmp);
            }
        }
    }

    @Override
    public void close() {
        // Nothing is held open between calls.
    }
}
