package dev.dsv.cli;

import dev.dsv.service.Progress;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Shows progress on one rewritten stderr line, at most every 200 ms: a bar, the count, the rate
 * and the time left when the total is known. Used only on an interactive terminal.
 */
final class TerminalProgress implements Progress {
    private static final long INTERVAL_NANOS = 200_000_000L;
    private static final int BAR = 24;

    private final PrintWriter err;
    private final Terminal terminal;
    private final LongSupplier clock;
    private final AtomicLong done = new AtomicLong();
    private volatile String phase = "";
    private volatile long total;
    private volatile long started;
    private volatile long lastPrint;

    TerminalProgress(PrintWriter err, Terminal terminal, LongSupplier nanoClock) {
        this.err = err;
        this.terminal = terminal;
        this.clock = nanoClock;
    }

    /**
     * Returns the progress display for this terminal: none with {@code --quiet}, a bar on an
     * interactive terminal, and otherwise (a pipe, a file, CI) a line every few seconds.
     */
    static Progress forConsole(PrintWriter err, Terminal terminal) {
        if (terminal.quiet()) {
            return Progress.NONE;
        }
        return terminal.interactive() ? new TerminalProgress(err, terminal, System::nanoTime)
                : new LineProgress(err, System::nanoTime);
    }

    @Override
    public void start(String newPhase, long newTotal) {
        phase = newPhase;
        total = newTotal;
        done.set(0);
        started = clock.getAsLong();
        lastPrint = 0;
    }

    @Override
    public void advance(long n) {
        long value = done.addAndGet(n);
        long now = clock.getAsLong();
        if (now - lastPrint > INTERVAL_NANOS) {
            synchronized (this) {
                lastPrint = now;
                err.print("\r" + line(value, now));
                err.flush();
            }
        }
    }

    @Override
    public synchronized void finish() {
        if (lastPrint != 0) {
            err.print("\r" + line(done.get(), clock.getAsLong()) + System.lineSeparator());
            err.flush();
        }
    }

    /** The progress line without the carriage return. */
    String line(long value, long now) {
        double seconds = Math.max(1e-9, (now - started) / 1e9);
        double rate = value / seconds;
        String name = terminal.paint(Terminal.BOLD, phase);
        if (total <= 0) {
            return String.format(Locale.ROOT, "%s %d  %.0f/s", name, value, rate);
        }
        int filled = (int) Math.min(BAR, value * BAR / total);
        String bar = "#".repeat(filled) + ".".repeat(BAR - filled);
        long left = rate > 0 ? Math.round((total - value) / rate) : 0;
        return String.format(Locale.ROOT, "%s [%s] %3d%%  %d/%d  %.0f/s  %s left", name,
                terminal.paint(Terminal.GREEN, bar), value * 100 / total, value, total, rate, duration(left));
    }

    static String duration(long seconds) {
        return seconds >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, seconds % 3600 / 60)
                : seconds >= 60 ? String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60)
                : seconds + "s";
    }
}
