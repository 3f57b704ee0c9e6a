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
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * Downloads objects from a remote's packs with ranged reads and stores them locally. Records that
 * lie close together in one pack are read with one request. Every object is hashed before it is
 * stored. A mismatch is an integrity error naming the object and the remote, and then nothing
 * this download stored becomes visible, because the inserters are closed without a flush.
 */
final class ObjectDownloader {
    /** Records at most this far apart are read in one request. */
    private static final long MAX_GAP = 64 << 10;
    /** A request stops growing at this many bytes (a single larger record is read alone). */
    private static final long MAX_RANGE = 16L << 20;

    private final RemoteStorage storage;
    private final ObjectStore store;
    private final int threads;
    private final AtomicLong objects = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();

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

    /** One ranged read: a pack key, a byte range and the records in it, by offset. */
    private record Range(String packKey, long start, long end, List<PackIndexFile.Entry> entries) {
    }

    /** Downloads the given objects and makes them visible in the local store. */
    void download(List<RemoteIndex.Located> wanted) {
        if (wanted.isEmpty()) {
            return;
        }
        ConcurrentLinkedQueue<Range> queue = new ConcurrentLinkedQueue<>(ranges(wanted));
        int workers = Math.max(1, Math.min(threads, queue.size()));
        List<ObjectStore.Inserter> inserters = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            inserters.add(store.newInserter());
        }
        try {
            List<Parallel.Task> tasks = new ArrayList<>();
            for (ObjectStore.Inserter inserter : inserters) {
                tasks.add(() -> {
                    Range r;
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

    private static List<Range> ranges(List<RemoteIndex.Located> wanted) {
        Map<String, List<PackIndexFile.Entry>> byPack = new TreeMap<>();
        for (RemoteIndex.Located l : wanted) {
            byPack.computeIfAbsent(l.packKey(), k -> new ArrayList<>()).add(l.entry());
        }
        List<Range> out = new ArrayList<>();
        byPack.forEach((key, entries) -> {
            entries.sort(Comparator.comparingLong(PackIndexFile.Entry::offset));
            List<PackIndexFile.Entry> current = new ArrayList<>();
            long start = -1;
            long end = -1;
            for (PackIndexFile.Entry e : entries) {
                long recordEnd = e.offset() + e.recordLength();
                if (start >= 0 && (e.offset() - end > MAX_GAP || recordEnd - start > MAX_RANGE)) {
                    out.add(new Range(key, start, end, current));
                    current = new ArrayList<>();
                    start = -1;
                }
                if (start < 0) {
                    start = e.offset();
                }
                current.add(e);
                end = Math.max(end, recordEnd);
            }
            if (!current.isEmpty()) {
                out.add(new Range(key, start, end, current));
            }
        });
        return out;
    }

    private void read(Range r, ObjectStore.Inserter inserter) {
        try (InputStream in = new java.io.BufferedInputStream(
                storage.getRange(r.packKey(), r.start(), r.end() - r.start()), 1 << 18)) {
            long position = r.start();
            for (PackIndexFile.Entry e : r.entries()) {
                in.skipNBytes(e.offset() - position);
                byte[] header = in.readNBytes(PackIndexFile.RECORD_HEADER);
                checkHeader(e, header, r.packKey());
                // The ranged read owns the underlying stream and closes it.
                storeObject(e, new BoundedInputStream(in, e.storedLength(), false), inserter, r.packKey());
                position = e.offset() + e.recordLength();
                objects.incrementAndGet();
                bytes.addAndGet(e.recordLength());
            }
        } catch (java.io.EOFException e) {
            throw new IntegrityException("error.remote.corrupt", r.entries().get(0).id().hex(), storage.describe(), r.packKey());
        } catch (IOException e) {
            throw new RemoteStorageException(storage.describe(), r.packKey(), String.valueOf(e.getMessage()), true, e);
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
