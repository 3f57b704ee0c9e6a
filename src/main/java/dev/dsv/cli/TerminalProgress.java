package dev.dsv.cli;

import dev.dsv.service.Progress;
import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicLong;

/** Shows progress on one rewritten stderr line, at most every 200 ms. Used only on a terminal. */
final class TerminalProgress implements Progress {
    private static final long INTERVAL_NANOS = 200_000_000L;

    private final PrintWriter err;
    private final AtomicLong done = new AtomicLong();
    private volatile String phase = "";
    private volatile long total;
    private volatile long lastPrint;

    TerminalProgress(PrintWriter err) {
        this.err = err;
    }

    /** Returns a terminal progress when stderr is a terminal, else one that shows nothing. */
    static Progress forConsole(PrintWriter err) {
        return System.console() != null ? new TerminalProgress(err) : Progress.NONE;
    }

    @Override
    public void start(String newPhase, long newTotal) {
        phase = newPhase;
        total = newTotal;
        done.set(0);
        lastPrint = 0;
    }

    @Override
    public void advance(long n) {
        long value = done.addAndGet(n);
        long now = System.nanoTime();
        if (now - lastPrint > INTERVAL_NANOS) {
            lastPrint = now;
            synchronized (this) {
                err.print(total > 0 ? String.format("\r%s: %d/%d", phase, value, total) : String.format("\r%s: %d", phase, value));
                err.flush();
            }
        }
    }

    @Override
    public synchronized void finish() {
        if (lastPrint != 0) {
            err.print(total > 0 ? String.format("\r%s: %d/%d%n", phase, done.get(), total) : String.format("\r%s: %d%n", phase, done.get()));
            err.flush();
        }
    }
}
