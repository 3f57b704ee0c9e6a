package dev.dsv.remote;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Runs transfer tasks on a bounded number of threads and rethrows the first failure. */
final class Parallel {
    /** A unit of work that may throw the unchecked exceptions of the store and the storage. */
    @FunctionalInterface
    interface Task {
        void run();
    }

    private Parallel() {
    }

    static void run(int threads, List<Task> tasks) {
        if (tasks.isEmpty()) {
            return;
        }
        if (threads <= 1 || tasks.size() == 1) {
            tasks.forEach(Task::run);
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, tasks.size()), r -> {
            Thread t = new Thread(r, "dsv-transfer");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = tasks.stream().<Future<?>>map(t -> pool.submit(t::run)).toList();
            RuntimeException first = null;
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    if (first == null) {
                        first = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                        futures.forEach(other -> other.cancel(false));
                    }
                } catch (java.util.concurrent.CancellationException e) {
                    // Cancelled after an earlier task failed; that failure is reported.
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            if (first != null) {
                throw first;
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
