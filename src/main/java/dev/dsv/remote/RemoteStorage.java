package dev.dsv.remote;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * A key-value store that holds a remote: a folder or an S3 bucket prefix. The push, fetch and
 * clone protocol in this package uses only these operations, so a new kind of storage is one
 * implementation of this interface and one {@link RemoteStorageProvider}.
 *
 * <p>Keys are relative, {@code /}-separated, and use only {@code A-Z a-z 0-9 . _ - /} (see
 * {@link Keys#check}). A key is written either as a plain key ({@link #put}, {@link #upload},
 * {@link #putIfAbsent}) or as a CAS key ({@link #compareAndSwap}), never both; refs are CAS keys.
 *
 * <p>Failures throw {@link RemoteStorageException}, which says whether a retry can help. A key
 * that does not exist is not a failure: reads return null or false for it.
 *
 * <p>Implementations are thread-safe: the protocol calls them from several transfer threads.
 */
public interface RemoteStorage extends AutoCloseable {

    /** Returns the remote's URL as the user gave it, without credentials, for messages. */
    String describe();

    /**
     * The most bytes that {@link #get} and {@link #getVersioned} read: those keys are refs, the
     * format, the configuration and metadata lists, far smaller. A larger (or endless) response is an
     * {@link dev.dsv.error.IntegrityException}, so a hostile remote cannot fill memory.
     */
    long SMALL_KEY_LIMIT = 64L << 20;

    /**
     * Reads a whole plain key; returns null when the key does not exist. For small keys: one over
     * {@link #SMALL_KEY_LIMIT} bytes is refused with an integrity error.
     */
    byte[] get(String key);

    /**
     * Opens a stream over {@code length} bytes of a plain key starting at {@code offset}. Throws
     * {@link RemoteStorageException} when the key does not exist or is shorter than the range.
     * The caller closes the stream.
     */
    InputStream getRange(String key, long offset, long length);

    /**
     * Copies a whole plain key into a local file; returns false when the key does not exist. A key
     * longer than {@code maxBytes} is refused with an integrity error, and nothing is left at
     * {@code target}.
     */
    boolean download(String key, Path target, long maxBytes);

    /** Copies a whole plain key into a local file, whatever its size; see {@link #download(String, Path, long)}. */
    default boolean download(String key, Path target) {
        return download(key, target, Long.MAX_VALUE);
    }

    /**
     * Writes a plain key, replacing any previous content. The new content becomes visible
     * atomically: a reader sees the old or the whole new content, never a part. Meant for
     * content-addressed keys, where replacing changes nothing.
     */
    void put(String key, byte[] bytes);

    /** Writes a local file under a plain key, like {@link #put}; large files may be sent in parts. */
    void upload(String key, Path file);

    /**
     * Creates a plain key only if it does not exist. Returns false, and changes nothing, when it
     * exists. Atomic: of two concurrent calls for one key, at most one returns true.
     */
    boolean putIfAbsent(String key, byte[] bytes);

    /** Reads a CAS key with its version; returns null when the key does not exist. Limited like {@link #get}. */
    Versioned getVersioned(String key);

    /**
     * Replaces a CAS key only if its current version is {@code expectedVersion} ({@code null}: only
     * if the key does not exist). Returns the new version, or null when the key had another
     * version (another writer won; nothing was written). Atomic when {@link #probe()} reports
     * {@link Capabilities#atomicCompareAndSwap()}.
     */
    String compareAndSwap(String key, String expectedVersion, byte[] bytes);

    /**
     * Lists the plain and CAS keys that start with {@code prefix}, sorted by key, with the size of
     * plain keys (-1 for CAS keys). Keys still being written are not listed. Every key that existed
     * before the call began, and was not deleted meanwhile, should be listed.
     *
     * <p>NOTE: some S3-compatible servers break the last rule while other keys in the folder are
     * written (S3Proxy 3.3.0's filesystem backend). Fetch lists {@code packs/} a second time when
     * the first listing lacks an object it needs, and no other caller relies on a complete listing
     * for correctness.
     */
    List<KeyInfo> list(String prefix);

    /** Deletes a plain key; deleting a key that does not exist is not an error. */
    void delete(String key);

    /**
     * Checks what this storage guarantees, by writing and deleting probe keys under {@code tmp/}.
     * Throws {@link RemoteStorageException} when the storage cannot be reached or written.
     */
    Capabilities probe();

    @Override
    void close();

    /** The content of a CAS key and the version token that {@link #compareAndSwap} expects. */
    record Versioned(byte[] bytes, String version) {
    }

    /** A listed key and its size in bytes (-1 for a CAS key). */
    record KeyInfo(String key, long size) {
    }

    /**
     * What a storage guarantees. {@code atomicCompareAndSwap} false means that conditional writes
     * were not honoured, so refs cannot be moved safely there; {@code detail} says what the probe
     * saw, for the message.
     */
    record Capabilities(boolean atomicCompareAndSwap, String detail) {
    }
}
