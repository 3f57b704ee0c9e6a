package dev.dsv.remote;

import dev.dsv.error.IntegrityException;
import dev.dsv.model.ObjectId;
import dev.dsv.model.ObjectType;
import dev.dsv.store.ObjectStore;
import dev.dsv.store.PackIndexFile;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * Downloads objects from a remote's packs with ranged reads and stores them locally. Records that
 * lie close together in one pack are read with one request, which may pass over unwanted records
 * between them (see {@link ReadPlanner} for the limits). Every object is hashed before it is
 * stored. A mismatch is an integrity error naming the object and the remote, and then nothing
 * this download stored becomes visible, because the inserters are closed without a flush.
 */
final class ObjectDownloader {
    private final RemoteStorage storage;
    private final ObjectStore store;
    private final int threads;
    private final AtomicLong objects = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();

    ObjectDownloader(RemoteStorage storage, ObjectStore store, int threads) {
        this.storage = storage;
        this.store = store;
        this.threads = threads;
    }

    long objects() {
        return objects.get();
    }

    long bytes() {
        return bytes.get();
    }

    /** Returns how many ranged reads were opened again after their stream failed. */
    long retries() {
        return retries.get();
    }

    /** Downloads the given objects and makes them visible in the local store. */
    void download(List<RemoteIndex.Located> wanted) {
        if (wanted.isEmpty()) {
            return;
        }
        ConcurrentLinkedQueue<ReadPlanner.Read> queue = new ConcurrentLinkedQueue<>(ReadPlanner.plan(wanted));
        int workers = Math.max(1, Math.min(threads, queue.size()));
        List<ObjectStore.Inserter> inserters = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            inserters.add(store.newInserter());
        }
        try {
            List<Parallel.Task> tasks = new ArrayList<>();
            for (ObjectStore.Inserter inserter : inserters) {
                tasks.add(() -> {
                    ReadPlanner.Read r;
                    while ((r = queue.poll()) != null) {
                        read(r, inserter);
                    }
                });
            }
            Parallel.run(workers, tasks);
            for (ObjectStore.Inserter inserter : inserters) {
                inserter.flush();
            }
        } finally {
            inserters.forEach(ObjectStore.Inserter::close);
        }
    }

    /**
     * Reads one planned range and stores its wanted records. The bytes between them belong to
     * objects that were not asked for and are skipped, so they never reach the store.
     *
     * <p>Opening the range is retried by {@link RetryingStorage}. When the stream fails after that
     * with a transient error, the range is opened again from the first record not stored yet, with
     * the same backoff. The read fails after {@link RetryingStorage#ATTEMPTS} streams in a row
     * that stored no record. A record that was cut off was not added to the inserter, so it is
     * read again whole.
     */
    private void read(ReadPlanner.Read r, ObjectStore.Inserter inserter) {
        List<PackIndexFile.Entry> entries = r.entries();
        int next = 0;
        int failures = 0;
        while (true) {
            int first = next;
            long from = entries.get(next).offset();
            InputStream opened = storage.getRange(r.packKey(), from, r.end() - from);
            RemoteStorageException failure;
            try (InputStream in = new java.io.BufferedInputStream(new RemoteStream(opened, r.packKey()), 1 << 18)) {
                long position = from;
                while (next < entries.size()) {
                    PackIndexFile.Entry e = entries.get(next);
                    in.skipNBytes(e.offset() - position);
                    byte[] header = in.readNBytes(PackIndexFile.RECORD_HEADER);
                    checkHeader(e, header, r.packKey());
                    // The ranged read owns the underlying stream and closes it.
                    storeObject(e, new BoundedInputStream(in, e.storedLength(), false), inserter, r.packKey());
                    position = e.offset() + e.recordLength();
                    next++;
                    objects.incrementAndGet();
                    bytes.addAndGet(e.recordLength());
                }
                return;
            } catch (java.io.EOFException e) {
                throw corrupt(entries.get(next), r.packKey());
            } catch (IOException e) {
                failure = new RemoteStorageException(storage.describe(), r.packKey(), String.valueOf(e.getMessage()),
                        true, e);
            } catch (RemoteStorageException e) {
                if (!e.isTransient()) {
                    throw e;
                }
                failure = e;
            }
            if (next == entries.size()) {
                // Only closing the stream failed, after every record was stored.
                return;
            }
            failures = next > first ? 1 : failures + 1;
            if (failures >= RetryingStorage.ATTEMPTS) {
                throw failure;
            }
            retries.incrementAndGet();
            RetryingStorage.waitAfterFailure(failures, storage.describe());
        }
    }

    private void checkHeader(PackIndexFile.Entry e, byte[] header, String packKey) {
        ByteBuffer b = ByteBuffer.wrap(header);
        byte[] id = new byte[ObjectId.LENGTH];
        if (header.length < PackIndexFile.RECORD_HEADER) {
            throw corrupt(e, packKey);
        }
        b.get(id);
        int type = b.get() & 0xff;
        int encoding = b.get() & 0xff;
        long raw = b.getLong();
        long stored = b.getLong();
        if (!ObjectId.fromBytes(id).equals(e.id()) || type != e.type().code() || encoding != e.encoding()
                || raw != e.rawLength() || stored != e.storedLength()) {
            throw corrupt(e, packKey);
        }
    }

    private IntegrityException corrupt(PackIndexFile.Entry e, String packKey) {
        return new IntegrityException("error.remote.corrupt", e.id().hex(), storage.describe(), packKey);
    }

    /** Checks one object's bytes against its id and stores it. */
    private void storeObject(PackIndexFile.Entry e, InputStream content, ObjectStore.Inserter inserter, String packKey)
            throws IOException {
        if (e.type() == ObjectType.BLOB && !e.deflated()) {
            Counting counted = new Counting(content);
            ObjectId got = inserter.insertBlob(counted);
            if (!got.equals(e.id()) || counted.count != e.rawLength()) {
                throw corrupt(e, packKey);
            }
            return;
        }
        byte[] stored = content.readNBytes((int) e.storedLength());
        if (stored.length != e.storedLength()) {
            throw corrupt(e, packKey);
        }
        byte[] raw = e.deflated() ? inflate(stored, e, packKey) : stored;
        MessageDigest md = DigestUtils.getSha256Digest();
        if (!ObjectId.fromBytes(md.digest(raw)).equals(e.id())) {
            throw corrupt(e, packKey);
        }
        if (e.type() == ObjectType.BLOB) {
            inserter.insertBlob(new java.io.ByteArrayInputStream(raw));
        } else {
            inserter.insert(e.type(), raw);
        }
    }

    private byte[] inflate(byte[] stored, PackIndexFile.Entry e, String packKey) {
        if (e.rawLength() > Integer.MAX_VALUE - 16) {
            throw corrupt(e, packKey);
        }
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(stored);
            byte[] out = new byte[(int) e.rawLength()];
            int n = 0;
            while (n < out.length && !inflater.finished()) {
                int got = inflater.inflate(out, n, out.length - n);
                if (got == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                n += got;
            }
            if (n != out.length || !inflater.finished()) {
                throw corrupt(e, packKey);
            }
            return out;
        } catch (DataFormatException ex) {
            throw corrupt(e, packKey);
        } finally {
            inflater.end();
        }
    }


    /**
     * The stream of a ranged read, with its I/O errors thrown as transient storage failures, so
     * that the inserter, which reports the I/O errors it catches as errors of the local store,
     * passes them on to {@link #read}.
     */
    private final class RemoteStream extends FilterInputStream {
        private final String packKey;

        RemoteStream(InputStream in, String packKey) {
            super(in);
            this.packKey = packKey;
        }

        private RemoteStorageException failed(IOException e) {
            return new RemoteStorageException(storage.describe(), packKey, String.valueOf(e.getMessage()), true, e);
        }

        @Override
        public int read() {
            try {
                return in.read();
            } catch (IOException e) {
                throw failed(e);
            }
        }

        @Override
        public int read(byte[] buf, int off, int len) {
            try {
                return in.read(buf, off, len);
            } catch (IOException e) {
                throw failed(e);
            }
        }

        @Override
        public long skip(long n) {
            try {
                return in.skip(n);
            } catch (IOException e) {
                throw failed(e);
            }
        }
    }

    /** Counts the bytes read through it. */
    private static final class Counting extends FilterInputStream {
        long count;

        Counting(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = in.read(buf, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
