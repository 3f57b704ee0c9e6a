package dev.dsv.exports;

import dev.dsv.error.IntegrityException;
import dev.dsv.model.ObjectId;
import dev.dsv.store.AtomicFiles;
import dev.dsv.store.ObjectStore;
import dev.dsv.store.StoreIOException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.List;
import java.util.UUID;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * Read-only copies of blobs in {@code .dsv/objects/links/}, one file per blob named by its id,
 * that hard-linked exports point at. The packs stay the only source of truth: a cache file that
 * no longer matches its id is rewritten from the pack, and {@code dsv gc} deletes the cache.
 */
public final class LinkCache {
    private final Path dir;
    private final ObjectStore store;

    public LinkCache(Path objectsDir, ObjectStore store) {
        this.dir = objectsDir.resolve("links");
        this.store = store;
    }

    public Path dir() {
        return dir;
    }

    /**
     * Hard-links the cache file of {@code blob} to {@code target}, writing the cache file first
     * when needed. gc clears the cache without waiting for exports, so the file or its folder can
     * vanish between writing and linking. Both steps are then retried, up to LINK_ATTEMPTS times.
     *
     * @throws java.nio.file.FileSystemException when the link itself fails (another file system)
     */
    void link(ObjectId blob, Path target) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                Files.createLink(target, ensureOnce(blob));
                return;
            } catch (NoSuchFileException e) {
                if (attempt == LINK_ATTEMPTS) {
                    throw StoreIOException.of(dir, e);
                }
            }
        }
    }

    private static final int LINK_ATTEMPTS = 5;

    /**
     * Returns the cache file of a blob, writing it (or rewriting a damaged one) from the store; a
     * folder that gc removed meanwhile raises NoSuchFileException.
     */
    private Path ensureOnce(ObjectId blob) throws NoSuchFileException {
        Path file = dir.resolve(blob.hex().substring(0, 2)).resolve(blob.hex());
        try {
            if (Files.isRegularFile(file) && hashFile(file).equals(blob)) {
                return file;
            }
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling("tmp-" + UUID.randomUUID());
            try {
                copyChecked(store, blob, tmp);
                tmp.toFile().setReadOnly();
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return file;
        } catch (NoSuchFileException e) {
            throw e;
        } catch (IOException e) {
            throw StoreIOException.of(file, e);
        }
    }

    /**
     * Copies a blob to {@code target} while hashing it, fsyncs the file, and throws an integrity
     * error naming the blob when the bytes do not match its id.
     */
    static long copyChecked(ObjectStore store, ObjectId blob, Path target) throws IOException {
        MessageDigest md = DigestUtils.getSha256Digest();
        long length = 0;
        byte[] buf = new byte[1 << 16];
        try (InputStream in = store.openBlob(blob); OutputStream out = Files.newOutputStream(target)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
                out.write(buf, 0, n);
                length += n;
            }
        }
        if (!ObjectId.fromBytes(md.digest()).equals(blob)) {
            Files.deleteIfExists(target);
            throw new IntegrityException("error.export.corrupt", blob.hex());
        }
        return length;
    }

    /** Returns the SHA-256 of a file's bytes, read as a stream. */
    static ObjectId hashFile(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return ObjectId.fromBytes(DigestUtils.sha256(in));
        }
    }

    /** Deletes the whole cache; returns the number of files removed. */
    public int clear() {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int count = 0;
        List<Path> paths;
        try (var walk = Files.walk(dir)) {
            paths = walk.sorted(java.util.Comparator.reverseOrder()).toList();
        } catch (java.io.UncheckedIOException e) {
            // Another gc removed part of the cache while it was listed.
            if (e.getCause() instanceof java.nio.file.NoSuchFileException) {
                return 0;
            }
            throw StoreIOException.of(dir, e.getCause());
        } catch (IOException e) {
            throw StoreIOException.of(dir, e);
        }
        try {
            for (Path p : paths) {
                if (Files.isRegularFile(p)) {
                    count++;
                }
                try {
                    Files.deleteIfExists(p);
                } catch (java.nio.file.DirectoryNotEmptyException e) {
                    // An export wrote a cache file here after the listing; the next gc removes it.
                }
            }
            AtomicFiles.syncDirectory(dir.getParent());
        } catch (IOException e) {
            throw StoreIOException.of(dir, e);
        }
        return count;
    }
}
