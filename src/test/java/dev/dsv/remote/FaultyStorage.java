package dev.dsv.remote;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A directory storage for fault tests, opened for URLs {@code faulty:PATH}: it counts the keys
 * and bytes written and the ranged reads. Once {@link #failAfterWrites} writes have succeeded, it
 * fails every further write as {@link #failure} sets (a dropped connection or a full disk) until
 * {@link #reset}. It can also return a saved listing in place of the real one
 * ({@link #shortListing}), as a server whose listing misses keys would, and let another writer act
 * just before a compare-and-swap ({@link #beforeNextSwap}).
 */
final class FaultyStorage implements RemoteStorage {
    /** How writes fail once the budget is spent. */
    enum Failure { CONNECTION_DROPPED, DISK_FULL }

    static volatile int failAfterWrites = Integer.MAX_VALUE;
    static volatile Failure failure = Failure.CONNECTION_DROPPED;
    static final AtomicInteger writes = new AtomicInteger();
    static final AtomicLong bytesWritten = new AtomicLong();
    static final Set<String> keysWritten = ConcurrentHashMap.newKeySet();
    /** Listings to return in place of the real ones, by prefix, in order. */
    static final Map<String, Deque<List<KeyInfo>>> shortListings = new ConcurrentHashMap<>();
    /** How many times each prefix was listed. */
    static final Map<String, AtomicInteger> listings = new ConcurrentHashMap<>();
    /** Ranged reads opened, and the bytes they asked for. */
    static final AtomicInteger rangedReads = new AtomicInteger();
    static final AtomicLong rangedBytes = new AtomicLong();
    /** Ranged reads longer than {@link #rangedCutAfter} still to cut, and how many were cut. */
    static final AtomicInteger rangedCutsLeft = new AtomicInteger();
    static final AtomicInteger rangedCuts = new AtomicInteger();
    static volatile long rangedCutAfter = Long.MAX_VALUE;
    /** Runs once, just before the next compare-and-swap, as another writer would act then. */
    static volatile Runnable beforeNextSwap;

    /** Clears the counters and stops failing. */
    static void reset() {
        failAfterWrites = Integer.MAX_VALUE;
        writes.set(0);
        bytesWritten.set(0);
        keysWritten.clear();
        shortListings.clear();
        listings.clear();
        rangedReads.set(0);
        rangedBytes.set(0);
        rangedCutsLeft.set(0);
        rangedCuts.set(0);
        rangedCutAfter = Long.MAX_VALUE;
        beforeNextSwap = null;
    }

    /** Makes the next {@code times} listings of {@code prefix} return {@code listing}. */
    static void shortListing(String prefix, List<KeyInfo> listing, int times) {
        Deque<List<KeyInfo>> queue = shortListings.computeIfAbsent(prefix, p -> new ConcurrentLinkedDeque<>());
        for (int i = 0; i < times; i++) {
            queue.add(List.copyOf(listing));
        }
    }

    /**
     * Makes the next {@code times} ranged reads longer than {@code afterBytes} fail after that
     * many bytes, as a connection reset in the middle of a download would.
     */
    static void cutRangedReads(long afterBytes, int times) {
        rangedCutAfter = afterBytes;
        rangedCutsLeft.set(times);
    }

    /** Returns how many times {@code prefix} was listed since the last {@link #reset}. */
    static int listed(String prefix) {
        AtomicInteger n = listings.get(prefix);
        return n == null ? 0 : n.get();
    }

    private final DirectoryStorage inner;

    FaultyStorage(DirectoryStorage inner) {
        this.inner = inner;
    }

    private void beforeWrite(String key) {
        if (writes.get() >= failAfterWrites) {
            if (failure == Failure.DISK_FULL) {
                throw new RemoteStorageException(describe(), key, "No space left on device", false, null);
            }
            throw new RemoteStorageException(describe(), key, "Connection reset by peer", true, null);
        }
    }

    private void afterWrite(String key, long bytes) {
        writes.incrementAndGet();
        bytesWritten.addAndGet(bytes);
        keysWritten.add(key);
    }

    @Override
    public String describe() {
        return inner.describe();
    }

    @Override
    public byte[] get(String key) {
        return inner.get(key);
    }

    @Override
    public InputStream getRange(String key, long offset, long length) {
        InputStream in = inner.getRange(key, offset, length);
        rangedReads.incrementAndGet();
        rangedBytes.addAndGet(length);
        if (length > rangedCutAfter && rangedCutsLeft.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
            rangedCuts.incrementAndGet();
            return new CutStream(in, rangedCutAfter);
        }
        return in;
    }

    @Override
    public boolean download(String key, Path target, long maxBytes) {
        return inner.download(key, target, maxBytes);
    }

    @Override
    public void put(String key, byte[] bytes) {
        beforeWrite(key);
        inner.put(key, bytes);
        afterWrite(key, bytes.length);
    }

    @Override
    public void upload(String key, Path file) {
        beforeWrite(key);
        inner.upload(key, file);
        try {
            afterWrite(key, Files.size(file));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public boolean putIfAbsent(String key, byte[] bytes) {
        beforeWrite(key);
        boolean created = inner.putIfAbsent(key, bytes);
        if (created) {
            afterWrite(key, bytes.length);
        }
        return created;
    }

    @Override
    public Versioned getVersioned(String key) {
        return inner.getVersioned(key);
    }

    @Override
    public String compareAndSwap(String key, String expectedVersion, byte[] bytes) {
        Runnable other = beforeNextSwap;
        beforeNextSwap = null;
        if (other != null) {
            other.run();
        }
        beforeWrite(key);
        String version = inner.compareAndSwap(key, expectedVersion, bytes);
        afterWrite(key, bytes.length);
        return version;
    }

    @Override
    public List<KeyInfo> list(String prefix) {
        listings.computeIfAbsent(prefix, p -> new AtomicInteger()).incrementAndGet();
        Deque<List<KeyInfo>> queue = shortListings.get(prefix);
        List<KeyInfo> saved = queue == null ? null : queue.poll();
        return saved != null ? saved : inner.list(prefix);
    }

    @Override
    public void delete(String key) {
        inner.delete(key);
    }

    @Override
    public Capabilities probe() {
        return inner.probe();
    }

    @Override
    public void close() {
        inner.close();
    }

    /** A stream that fails with a connection reset once {@code cutAt} bytes were read or skipped. */
    private static final class CutStream extends java.io.FilterInputStream {
        private long left;

        CutStream(InputStream in, long cutAt) {
            super(in);
            this.left = cutAt;
        }

        private void checkLeft() throws java.io.IOException {
            if (left <= 0) {
                throw new java.net.SocketException("Connection reset by peer");
            }
        }

        @Override
        public int read() throws java.io.IOException {
            checkLeft();
            int b = in.read();
            if (b >= 0) {
                left--;
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws java.io.IOException {
            checkLeft();
            int n = in.read(buf, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws java.io.IOException {
            checkLeft();
            long skipped = in.skip(Math.min(n, left));
            left -= Math.max(0, skipped);
            return skipped;
        }
    }

    /** Opens {@code faulty:PATH} URLs. */
    public static final class Provider implements RemoteStorageProvider {
        @Override
        public boolean supports(String url) {
            return url.startsWith("faulty:");
        }

        @Override
        public void checkOptions(RemoteSpec spec) {
            new DirectoryStorageProvider().checkOptions(spec);
        }

        @Override
        public RemoteStorage open(RemoteSpec spec) {
            String path = spec.url().substring("faulty:".length());
            return new FaultyStorage(new DirectoryStorage(Path.of(path), spec.url()));
        }
    }
}
