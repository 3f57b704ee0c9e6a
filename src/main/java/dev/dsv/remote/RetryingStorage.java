package dev.dsv.remote;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * Retries the transient failures of another storage with exponential backoff: up to
 * {@link #ATTEMPTS} attempts, waiting 0.2 s, 0.4 s, 0.8 s and 1.6 s in between. Permanent failures
 * and the last transient one are thrown as they are. Every operation of {@link RemoteStorage} may
 * be repeated safely: plain writes replace with the same content, and a repeated compare-and-swap
 * whose first attempt did land returns null, which the caller checks by reading the ref.
 */
public final class RetryingStorage implements RemoteStorage {
    static final int ATTEMPTS = 5;
    private static final long FIRST_WAIT_MILLIS = 200;

    private final RemoteStorage inner;
    private volatile long retries;

    public RetryingStorage(RemoteStorage inner) {
        this.inner = inner;
    }

    /** Returns the storage this one wraps. */
    public RemoteStorage inner() {
        return inner;
    }

    /** Returns how many operations were repeated after a transient failure. */
    public long retries() {
        return retries;
    }

    private <T> T retry(Supplier<T> operation) {
        for (int attempt = 1; ; attempt++) {
            try {
                return operation.get();
            } catch (RemoteStorageException e) {
                if (!e.isTransient() || attempt >= ATTEMPTS) {
                    throw e;
                }
            }
            synchronized (this) {
                retries++;
            }
            waitAfterFailure(attempt, inner.describe());
        }
    }

    /**
     * Sleeps before the next attempt after {@code failedAttempts} transient failures in a row:
     * 0.2 s after the first, doubling after each further one.
     */
    static void waitAfterFailure(int failedAttempts, String remote) {
        try {
            Thread.sleep(FIRST_WAIT_MILLIS << (failedAttempts - 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RemoteStorageException(remote, "-", "interrupted while waiting to retry", false, e);
        }
    }

    @Override
    public String describe() {
        return inner.describe();
    }

    @Override
    public byte[] get(String key) {
        return retry(() -> inner.get(key));
    }

    @Override
    public InputStream getRange(String key, long offset, long length) {
        return retry(() -> inner.getRange(key, offset, length));
    }

    @Override
    public boolean download(String key, Path target, long maxBytes) {
        return retry(() -> inner.download(key, target, maxBytes));
    }

    @Override
    public void put(String key, byte[] bytes) {
        retry(() -> {
            inner.put(key, bytes);
            return null;
        });
    }

    @Override
    public void upload(String key, Path file) {
        retry(() -> {
            inner.upload(key, file);
            return null;
        });
    }

    @Override
    public boolean putIfAbsent(String key, byte[] bytes) {
        return retry(() -> inner.putIfAbsent(key, bytes));
    }

    @Override
    public Versioned getVersioned(String key) {
        return retry(() -> inner.getVersioned(key));
    }

    @Override
    public String compareAndSwap(String key, String expectedVersion, byte[] bytes) {
        return retry(() -> inner.compareAndSwap(key, expectedVersion, bytes));
    }

    @Override
    public List<KeyInfo> list(String prefix) {
        return retry(() -> inner.list(prefix));
    }

    @Override
    public void delete(String key) {
        retry(() -> {
            inner.delete(key);
            return null;
        });
    }

    @Override
    public Capabilities probe() {
        return retry(inner::probe);
    }

    @Override
    public void close() {
        inner.close();
    }
}
