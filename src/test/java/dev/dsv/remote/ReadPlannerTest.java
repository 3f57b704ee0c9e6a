package dev.dsv.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dsv.model.ObjectId;
import dev.dsv.model.ObjectType;
import dev.dsv.store.PackIndexFile;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.commons.codec.digest.DigestUtils;
import org.junit.jupiter.api.Test;

/** The reads planned for wanted records of remote packs: merging, skip limit, length cap. */
class ReadPlannerTest {
    private static final String PACK = "packs/pack-a.pack";
    private static final long KIB = 1 << 10;
    private static final long MIB = 1 << 20;

    private int nextId;

    /** Returns an index entry whose whole record (header and stored bytes) is {@code recordLength}. */
    private PackIndexFile.Entry record(long offset, long recordLength) {
        long stored = recordLength - PackIndexFile.RECORD_HEADER;
        ObjectId id = ObjectId.fromBytes(DigestUtils.sha256(Integer.toString(nextId++)));
        return new PackIndexFile.Entry(id, offset, stored, stored, ObjectType.BLOB, 0);
    }

    /** Lays out records of the given lengths back to back from offset 0. */
    private List<PackIndexFile.Entry> pack(long... lengths) {
        List<PackIndexFile.Entry> out = new ArrayList<>();
        long offset = 0;
        for (long length : lengths) {
            out.add(record(offset, length));
            offset += length;
        }
        return out;
    }

    private static List<RemoteIndex.Located> located(String packKey, List<PackIndexFile.Entry> entries) {
        return entries.stream().map(e -> new RemoteIndex.Located(packKey, e)).toList();
    }

    private static long[] repeat(long length, int count) {
        long[] out = new long[count];
        java.util.Arrays.fill(out, length);
        return out;
    }

    @Test
    void adjacentRecordsMakeOneRead() {
        List<PackIndexFile.Entry> records = pack(30_000, 45_000, 1_000);
        List<ReadPlanner.Read> reads = ReadPlanner.plan(located(PACK, records));

        assertEquals(1, reads.size(), reads.toString());
        assertEquals(0, reads.get(0).start());
        assertEquals(76_000, reads.get(0).end());
        assertEquals(records, reads.get(0).entries());
    }

    @Test
    void everySixthRecordReadsTwoPerRequest() {
        // The layout of the generated benchmark set: 40 KB images, every sixth one wanted.
        List<PackIndexFile.Entry> records = pack(repeat(40_000, 60));
        List<PackIndexFile.Entry> wanted = new ArrayList<>();
        for (int i = 0; i < records.size(); i += 6) {
            wanted.add(records.get(i));
        }
        List<ReadPlanner.Read> reads = ReadPlanner.plan(located(PACK, wanted));

        // Two wanted records skip 200 000 bytes, within the 256 KiB allowance. A third would skip
        // 400 000, more than both the allowance and the 120 000 wanted bytes.
        assertEquals(5, reads.size(), reads.toString());
        for (int i = 0; i < reads.size(); i++) {
            ReadPlanner.Read read = reads.get(i);
            assertEquals(List.of(wanted.get(2 * i), wanted.get(2 * i + 1)), read.entries());
            assertEquals(i * 480_000L, read.start());
            assertEquals(280_000, read.length());
            assertEquals(80_000, read.wantedBytes());
        }
    }

    @Test
    void smallRecordsSkipAtMostTheAllowance() {
        // 1 KiB records 100 KiB apart: two gaps fit in 256 KiB, a third does not.
        List<PackIndexFile.Entry> records = pack(interleave(KIB, 100 * KIB, 17));
        List<PackIndexFile.Entry> wanted = everyOther(records);
        List<ReadPlanner.Read> reads = ReadPlanner.plan(located(PACK, wanted));

        assertEquals(3, reads.size(), reads.toString());
        for (ReadPlanner.Read read : reads) {
            assertEquals(3, read.entries().size());
            assertEquals(200 * KIB, read.length() - read.wantedBytes());
        }
    }

    @Test
    void largeRecordsSkipUpToTheirOwnSize() {
        // 1 MiB wanted records with 900 KiB unwanted ones between them: the skipped bytes stay
        // below the wanted ones, so the whole run is one read.
        List<PackIndexFile.Entry> records = pack(interleave(MIB, 900 * KIB, 11));
        List<ReadPlanner.Read> reads = ReadPlanner.plan(located(PACK, everyOther(records)));

        assertEquals(1, reads.size(), reads.toString());
        assertEquals(6, reads.get(0).entries().size());
        assertEquals(6 * MIB, reads.get(0).wantedBytes());
        assertEquals(6 * MIB + 5 * 900 * KIB, reads.get(0).length());
    }

    @Test
    void gapsLargerThanTheWantedBytesSplitReads() {
        // 100 KiB wanted, then 300 KiB unwanted: more than the allowance and the wanted bytes.
        List<PackIndexFile.Entry> records = pack(interleave(100 * KIB, 300 * KIB, 7));
        List<ReadPlanner.Read> reads = ReadPlanner.plan(located(PACK, everyOther(records)));

        assertEquals(4, reads.size(), reads.toString());
        for (ReadPlanner.Read read : reads) {
            assertEquals(1, read.entries().size());
            assertEquals(100 * KIB, read.length());
        }
    }

    @Test
    void readLengthIsCapped() {
        List<PackIndexFile.Entry> records = pack(5 * MIB, 5 * MIB, 5 * MIB, 5 * MIB, 20 * MIB, 5 * MIB);
        List<ReadPlanner.Read> reads = ReadPlanner.plan(located(PACK, records));

        assertEquals(4, reads.size(), reads.toString());
        assertEquals(records.subList(0, 3), reads.get(0).entries());
        assertEquals(15 * MIB, reads.get(0).length());
        assertEquals(records.subList(3, 4), reads.get(1).entries());
        // A record longer than the cap is read alone.
        assertEquals(records.subList(4, 5), reads.get(2).entries());
        assertEquals(20 * MIB, reads.get(2).length());
        assertEquals(records.subList(5, 6), reads.get(3).entries());
    }

    @Test
    void readsPerPackWithoutDuplicates() {
        List<PackIndexFile.Entry> records = pack(10_000, 10_000);
        List<RemoteIndex.Located> wanted = new ArrayList<>(located("packs/pack-b.pack", records));
        wanted.addAll(located(PACK, records));
        wanted.add(new RemoteIndex.Located(PACK, records.get(1)));
        List<ReadPlanner.Read> reads = ReadPlanner.plan(wanted);

        assertEquals(2, reads.size(), reads.toString());
        assertEquals(PACK, reads.get(0).packKey());
        assertEquals(records, reads.get(0).entries());
        assertEquals("packs/pack-b.pack", reads.get(1).packKey());
        assertEquals(records, reads.get(1).entries());
    }

    @Test
    void randomLayoutsKeepBothLimits() {
        Random random = new Random(20261205);
        for (int round = 0; round < 200; round++) {
            int count = 1 + random.nextInt(400);
            long[] lengths = new long[count];
            for (int i = 0; i < count; i++) {
                // Mostly images of 1 KiB to 200 KiB, some of several MiB.
                lengths[i] = random.nextInt(20) == 0 ? 1 + random.nextInt(20 << 20)
                        : KIB + random.nextInt(200 << 10);
                lengths[i] = Math.max(lengths[i], PackIndexFile.RECORD_HEADER);
            }
            List<PackIndexFile.Entry> records = pack(lengths);
            double density = random.nextDouble();
            List<PackIndexFile.Entry> wanted = new ArrayList<>();
            for (PackIndexFile.Entry e : records) {
                if (random.nextDouble() < density) {
                    wanted.add(e);
                }
            }
            List<RemoteIndex.Located> shuffled = new ArrayList<>(located(PACK, wanted));
            java.util.Collections.shuffle(shuffled, random);
            long allowance = random.nextBoolean() ? ReadPlanner.MIN_SKIP_ALLOWANCE : random.nextInt(1 << 20);
            long cap = random.nextBoolean() ? ReadPlanner.MAX_READ : (1 << 20) + random.nextInt(32 << 20);
            checkPlan(wanted, ReadPlanner.plan(shuffled, allowance, cap), allowance, cap, "round " + round);
        }
    }

    /** Checks the limits of every read and that the reads cover each wanted record exactly once. */
    private static void checkPlan(List<PackIndexFile.Entry> wanted, List<ReadPlanner.Read> reads, long allowance,
                                  long cap, String what) {
        Set<PackIndexFile.Entry> seen = new HashSet<>();
        long previousEnd = 0;
        for (ReadPlanner.Read read : reads) {
            List<PackIndexFile.Entry> entries = read.entries();
            assertTrue(!entries.isEmpty(), what);
            assertTrue(read.start() >= previousEnd, what + ": reads overlap");
            assertEquals(entries.get(0).offset(), read.start(), what);
            PackIndexFile.Entry last = entries.get(entries.size() - 1);
            assertEquals(last.offset() + last.recordLength(), read.end(), what);
            for (int i = 1; i < entries.size(); i++) {
                PackIndexFile.Entry before = entries.get(i - 1);
                assertTrue(entries.get(i).offset() >= before.offset() + before.recordLength(), what + ": not by offset");
            }
            long skipped = read.length() - read.wantedBytes();
            assertTrue(skipped <= Math.max(allowance, read.wantedBytes()),
                    what + ": " + read + " skips " + skipped + " bytes for " + read.wantedBytes() + " wanted");
            assertTrue(entries.size() == 1 || read.length() <= cap, what + ": " + read + " longer than " + cap);
            for (PackIndexFile.Entry e : entries) {
                assertTrue(seen.add(e), what + ": " + e + " read twice");
            }
            previousEnd = read.end();
        }
        assertEquals(new HashSet<>(wanted), seen, what);
    }

    /** Returns record lengths that alternate {@code a}, {@code b}, {@code a}, ... {@code count} in all. */
    private static long[] interleave(long a, long b, int count) {
        long[] out = new long[count];
        for (int i = 0; i < count; i++) {
            out[i] = i % 2 == 0 ? a : b;
        }
        return out;
    }

    private static List<PackIndexFile.Entry> everyOther(List<PackIndexFile.Entry> records) {
        List<PackIndexFile.Entry> out = new ArrayList<>();
        for (int i = 0; i < records.size(); i += 2) {
            out.add(records.get(i));
        }
        return out;
    }
}
