package dev.dsv.jmh;

import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.commons.codec.digest.DigestUtils;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * SHA-256 of one buffer, as the pack writer hashes an image while it streams it: 40 KB is the
 * size of a typical EL image file, 4 MB a large one. Compare the throughput with the read + hash
 * limit that scripts/bench measures.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class HashBench {
    @Param({"40960", "4194304"})
    int size;

    private byte[] data;
    private MessageDigest digest;

    @Setup
    public void setUp() {
        data = new byte[size];
        new Random(1).nextBytes(data);
        digest = DigestUtils.getSha256Digest();
    }

    @Benchmark
    public byte[] sha256() {
        digest.reset();
        digest.update(data);
        return digest.digest();
    }
}
