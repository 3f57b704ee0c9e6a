package dev.dsv.store;

import dev.dsv.model.ObjectId;
import dev.dsv.model.ObjectType;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A content-addressed store of immutable objects. Every implementation (the local pack store now,
 * S3 and directory remotes later) keeps this contract:
 *
 * <ul>
 *   <li><b>Atomic writes.</b> An object is either wholly visible with exactly the bytes that hash to
 *       its id, or not visible at all. Nothing an {@link Inserter} wrote is visible before its
 *       {@link Inserter#flush()} returns, and {@link Inserter#close()} without a flush discards it.
 *   <li><b>Idempotent writes.</b> Inserting an object that is present already is a no-op and
 *       returns the same id; an existing object is never overwritten.
 *   <li><b>Missing is never empty.</b> Reading an object that is not present throws
 *       {@link dev.dsv.error.IntegrityException} naming the id, and says whether the object is
 *       missing (damage) or absent by design (recorded with {@link #markAbsent}).
 *   <li><b>Short or wrong bytes are integrity errors.</b> {@link #read} checks the hash of every
 *       object it returns; a stored object whose length or hash does not match its id throws
 *       {@link dev.dsv.error.IntegrityException} naming the id. {@link #openBlob} streams without
 *       checking, so callers that hand bytes on (export) hash as they copy.
 *   <li><b>Classified I/O errors.</b> Failures of the medium throw {@link StoreIOException}, whose
 *       {@link StoreIOException#isPermanent()} tells whether a retry can help (it cannot for a full
 *       disk, a read-only file system or a denied permission).
 * </ul>
 *
 * Readers may run concurrently with one writer process. Implementations are thread-safe; an
 * {@link Inserter} is used by one thread at a time.
 */
public interface ObjectStore extends AutoCloseable {

    /** Returns whether the object is present, absent by design or missing. */
    ObjectState state(ObjectId id);

    /** Returns true when the object's bytes are present in this store. */
    default boolean contains(ObjectId id) {
        return state(id) == ObjectState.PRESENT;
    }

    /**
     * Reads a whole object, checks that its bytes hash to {@code id} and that it has the expected
     * type. Meant for small objects (trees, labels, commits, meta); blobs are streamed with
     * {@link #openBlob}.
     */
    byte[] read(ObjectId id, ObjectType expected);

    /** Opens a stream over a blob's bytes. The stream does not check the hash. */
    InputStream openBlob(ObjectId id);

    /** Returns the uncompressed size in bytes of a present object. */
    long size(ObjectId id);

    /** Returns the type of a present object. */
    ObjectType type(ObjectId id);

    /** Starts a batch of writes; see the class contract for visibility. */
    Inserter newInserter();

    /** Calls {@code action} once for every present object id (in no particular order). */
    void forEachObject(Consumer<ObjectId> action);

    /** Records that an object is deliberately not held here, with a short reason. */
    void markAbsent(ObjectId id, String reason);

    /** Returns the objects recorded as absent by design, with their reasons. */
    Map<ObjectId, String> absentObjects();

    @Override
    void close();

    /** A batch of writes into a store. Not thread-safe: use one inserter per thread. */
    interface Inserter extends AutoCloseable {
        /** Stores a non-blob object from its canonical bytes and returns its id. */
        ObjectId insert(ObjectType type, byte[] canonical);

        /**
         * Streams a file into the store as a blob while hashing it, without reading it whole
         * into memory, and returns its id.
         */
        ObjectId insertBlob(Path file);

        /** Stores a blob from a stream, hashing it on the way, and returns its id. */
        ObjectId insertBlob(InputStream in);

        /** Makes every object inserted so far durable and visible. */
        void flush();

        /** Discards whatever was not flushed. */
        @Override
        void close();
    }
}
