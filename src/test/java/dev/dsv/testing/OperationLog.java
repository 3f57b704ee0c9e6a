package dev.dsv.testing;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Records of dsv processes that a torture or load run started: the operation name, exit code and
 * wall time of each. Thread-safe. Prints per operation the count, the exit codes, the failures
 * (exit codes the run did not allow) and the p50/p95/p99/max wall time.
 */
public final class OperationLog {
    /** One finished dsv process; {@code failed} when its exit code was not an allowed one. */
    public record Entry(String operation, int exitCode, long wallMillis, boolean failed, String detail) {
    }

    private final List<Entry> entries = new ArrayList<>();

    public synchronized void add(Entry entry) {
        entries.add(entry);
    }

    public synchronized List<Entry> entries() {
        return List.copyOf(entries);
    }

    public synchronized List<Entry> failures() {
        return entries.stream().filter(Entry::failed).toList();
    }

    /** Returns the q-quantile (0 to 1) of sorted values by the nearest-rank method. */
    static long quantile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** Prints one line per operation, in name order; times are wall-clock milliseconds. */
    public synchronized void printTable(PrintStream out) {
        Map<String, List<Entry>> byOperation = new TreeMap<>();
        for (Entry e : entries) {
            byOperation.computeIfAbsent(e.operation(), k -> new ArrayList<>()).add(e);
        }
        out.printf("%-16s %6s %8s %8s %8s %8s %8s  %s%n", "operation", "count", "failures", "p50 ms", "p95 ms",
                "p99 ms", "max ms", "exit codes");
        for (Map.Entry<String, List<Entry>> op : byOperation.entrySet()) {
            List<Entry> list = op.getValue();
            long[] walls = list.stream().mapToLong(Entry::wallMillis).sorted().toArray();
            Map<Integer, Integer> codes = new TreeMap<>();
            for (Entry e : list) {
                codes.merge(e.exitCode(), 1, Integer::sum);
            }
            long failed = list.stream().filter(Entry::failed).count();
            out.printf("%-16s %6d %8d %8d %8d %8d %8d  %s%n", op.getKey(), list.size(), failed,
                    quantile(walls, 0.50), quantile(walls, 0.95), quantile(walls, 0.99), walls[walls.length - 1], codes);
        }
    }
}
