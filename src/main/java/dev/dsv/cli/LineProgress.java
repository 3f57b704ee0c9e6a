package dev.dsv.cli;

import dev.dsv.service.Progress;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Progress for logs and CI: whole lines on stderr, at most one per {@value #INTERVAL_SECONDS}
 * seconds, and only once a phase has run that long, so that short commands print nothing.
 */
final class LineProgress implements Progress {
    static final long INTERVAL_SECONDS = 10;
    private static final long INTERVAL_NANOS = INTERVAL_SECONDS * 1_000_000_000L;

    private final PrintWriter err;
    private final LongSupplier clock;
    private final AtomicLong done = new AtomicLong();
    private volatile String phase = "";
    private volatile long total;
    private volatile long started;
    private volatile long lastPrint;
    private volatile boolean printed;

    LineProgress(PrintWriter err, LongSupplier nanoClock) {
        this.err = err;
        this.clock = nanoClock;
    }

    @Override
    public void start(String newPhase, long newTotal) {
        phase = newPhase;
        total = newTotal;
        done.set(0);
        started = clock.getAsLong();
        lastPrint = started;
        printed = false;
    }

    @Override
    public void advance(long n) {
        long value = done.addAndGet(n);
        long now = clock.getAsLong();
        if (now - lastPrint >= INTERVAL_NANOS) {
            synchronized (this) {
                if (now - lastPrint >= INTERVAL_NANOS) {
                    lastPrint = now;
                    printed = true;
                    err.println(line(value, now));
                    err.flush();
                }
            }
        }
    }

    @Override
    public synchronized void finish() {
        if (printed) {
            err.println(line(done.get(), clock.getAsLong()));
            err.flush();
        }
    }

    private String line(long value, long now) {
        long seconds = Math.max(0, (now - started) / 1_000_000_000L);
        return total > 0
                ? String.format(Locale.ROOT, "dsv: %s %d/%d (%d%%) after %d s", phase, value, total, value * 100 / total, seconds)
                : String.format(Locale.ROOT, "dsv: %s %d after %d s", phase, value, seconds);
    }
}
