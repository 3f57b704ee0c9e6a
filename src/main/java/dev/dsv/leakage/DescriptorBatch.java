package dev.dsv.leakage;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.imaging.GrayImage;
import dev.dsv.imaging.ImageDecodeException;
import dev.dsv.model.ObjectId;
import dev.dsv.model.ObjectType;
import dev.dsv.service.Progress;
import dev.dsv.store.ObjectStore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Computes the missing descriptors of a set of blobs on all cores (read the blob, decode, reduce,
 * hash) and stores them in the cache in chunks, so an interrupted run keeps what it finished and
 * memory stays bounded by the chunk size.
 */
public final class DescriptorBatch {
    /** Blobs decoded between two writes to the cache. */
    private static final int CHUNK = 512;

    /** What one batch did. */
    public record Result(int requested, int computed, int reused, int failed, Map<ObjectId, String> failures) {
    }

    private final ObjectStore store;
    private final DescriptorCache cache;
    private final int threads;

    public DescriptorBatch(ObjectStore store, DescriptorCache cache, int threads) {
        this.store = store;
        this.cache = cache;
        this.threads = Math.max(1, threads);
    }

    /** A batch on every available core. */
    public DescriptorBatch(ObjectStore store, DescriptorCache cache) {
        this(store, cache, Runtime.getRuntime().availableProcessors());
    }

    /** Computes the descriptors that the cache lacks for these blobs; failures are recorded, not thrown. */
    public Result ensure(Collection<ObjectId> blobs, Progress progress) {
        List<ObjectId> todo = new ArrayList<>(cache.missing(blobs));
        progress.start("descriptors", todo.size());
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, Math.max(1, todo.size())), r -> {
            Thread t = new Thread(r, "dsv-descriptors");
            t.setDaemon(true);
            return t;
        });
        int computed = 0;
        Map<ObjectId, String> allFailures = new java.util.TreeMap<>();
        try {
            for (int from = 0; from < todo.size(); from += CHUNK) {
                List<ObjectId> chunk = todo.subList(from, Math.min(todo.size(), from + CHUNK));
                Map<ObjectId, Descriptor> done = new ConcurrentHashMap<>();
                Map<ObjectId, String> failed = new ConcurrentHashMap<>();
                List<Future<?>> futures = new ArrayList<>();
                for (ObjectId blob : chunk) {
                    futures.add(pool.submit(() -> {
                        try {
                            done.put(blob, DescriptorMath.describe(GrayImage.decode(store.read(blob, ObjectType.BLOB))));
                        } catch (ImageDecodeException | IllegalArgumentException e) {
                            failed.put(blob, String.valueOf(e.getMessage()));
                        }
                        progress.advance(1);
                    }));
                }
                for (Future<?> f : futures) {
                    f.get();
                }
                cache.putAll(done, failed);
                computed += done.size();
                allFailures.putAll(failed);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DsvException(ExitCode.INTERNAL, e, "error.interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new DsvException(ExitCode.INTERNAL, e.getCause(), "error.internal", String.valueOf(e.getCause()));
        } finally {
            pool.shutdownNow();
            progress.finish();
        }
        Map<ObjectId, String> failures = cache.failures(blobs);
        return new Result(blobs.size(), computed, blobs.size() - todo.size(), failures.size(), failures);
    }
}
