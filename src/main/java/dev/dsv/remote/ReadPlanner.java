package dev.dsv.remote;

import dev.dsv.store.PackIndexFile;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Groups the wanted records of a remote's packs into ranged reads. The records of one pack are
 * taken by offset, and the next record joins the current read while both limits below still hold
 * for the read with it. Otherwise it starts a new read.
 *
 * <ul>
 *   <li>Skipped bytes: the unwanted bytes between the read's records are at most
 *       max({@code minSkipAllowance}, the bytes of its records). So a read transfers at most twice
 *       its wanted bytes, or its wanted bytes plus {@code minSkipAllowance} when it is small.
 *   <li>Length: the read spans at most {@code maxRead} bytes. A single longer record is read alone.
 * </ul>
 *
 * <p>The limits hold for every read, not only for each gap, so a run of gaps that are each small
 * still cannot make a read mostly unwanted bytes. See docs/design.md, "Fetch, clone and integrity".
 */
final class ReadPlanner {
    /** Unwanted bytes that any read may skip over, however few bytes it wants. */
    static final long MIN_SKIP_ALLOWANCE = 256 << 10;
    /** The maximum span of one read. */
    static final long MAX_READ = 16L << 20;

    /**
     * One ranged read of a pack: bytes {@code start} (inclusive) to {@code end} (exclusive) and the
     * wanted records in it, by offset.
     */
    record Read(String packKey, long start, long end, List<PackIndexFile.Entry> entries) {
        long length() {
            return end - start;
        }

        /** Returns the total length of the wanted records, which is the read's length less the bytes it skips. */
        long wantedBytes() {
            long sum = 0;
            for (PackIndexFile.Entry e : entries) {
                sum += e.recordLength();
            }
            return sum;
        }
    }

    private ReadPlanner() {
    }

    /** Plans the reads of {@code wanted} with the default limits. */
    static List<Read> plan(List<RemoteIndex.Located> wanted) {
        return plan(wanted, MIN_SKIP_ALLOWANCE, MAX_READ);
    }

    /**
     * Plans the reads of {@code wanted}, pack by pack in key order. A record listed twice is read
     * once. Records that overlap otherwise come from a damaged index and are planned as they are,
     * so the header check of the download reports them.
     */
    static List<Read> plan(List<RemoteIndex.Located> wanted, long minSkipAllowance, long maxRead) {
        Map<String, List<PackIndexFile.Entry>> byPack = new TreeMap<>();
        for (RemoteIndex.Located l : wanted) {
            byPack.computeIfAbsent(l.packKey(), k -> new ArrayList<>()).add(l.entry());
        }
        List<Read> reads = new ArrayList<>();
        byPack.forEach((key, entries) -> planPack(key, entries, minSkipAllowance, maxRead, reads));
        return reads;
    }

    private static void planPack(String key, List<PackIndexFile.Entry> entries, long minSkipAllowance, long maxRead,
                                 List<Read> reads) {
        entries.sort(Comparator.comparingLong(PackIndexFile.Entry::offset));
        List<PackIndexFile.Entry> current = new ArrayList<>();
        long start = 0;
        long end = 0;
        long wanted = 0;
        long skipped = 0;
        for (PackIndexFile.Entry e : entries) {
            if (!current.isEmpty() && e.equals(current.get(current.size() - 1))) {
                continue;
            }
            long recordEnd = e.offset() + e.recordLength();
            if (!current.isEmpty()) {
                long gap = e.offset() - end;
                boolean withinSkipLimit = skipped + gap <= Math.max(minSkipAllowance, wanted + e.recordLength());
                boolean withinLength = recordEnd - start <= maxRead;
                if (withinSkipLimit && withinLength) {
                    current.add(e);
                    end = Math.max(end, recordEnd);
                    wanted += e.recordLength();
                    skipped += gap;
                    continue;
                }
                reads.add(new Read(key, start, end, current));
                current = new ArrayList<>();
            }
            current.add(e);
            start = e.offset();
            end = recordEnd;
            wanted = e.recordLength();
            skipped = 0;
        }
        if (!current.isEmpty()) {
            reads.add(new Read(key, start, end, current));
        }
    }
}
