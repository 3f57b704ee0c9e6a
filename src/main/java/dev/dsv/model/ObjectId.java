package dev.dsv.model;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import java.util.Arrays;
import org.apache.commons.codec.binary.Hex;

/** The SHA-256 of an object's bytes: 32 bytes, written as 64 lowercase hex digits. */
public final class ObjectId implements Comparable<ObjectId> {
    public static final int LENGTH = 32;
    public static final int HEX_LENGTH = 64;

    private final byte[] bytes;
    private final int hash;
    private String hex;

    private ObjectId(byte[] bytes) {
        this.bytes = bytes;
        // The bytes of a SHA-256 are uniformly distributed, so the first four make a good hash.
        this.hash = (bytes[0] & 0xff) << 24 | (bytes[1] & 0xff) << 16 | (bytes[2] & 0xff) << 8 | (bytes[3] & 0xff);
    }

    /** Wraps a copy of a 32-byte digest. */
    public static ObjectId fromBytes(byte[] digest) {
        if (digest.length != LENGTH) {
            throw new IllegalArgumentException("object id needs 32 bytes, got " + digest.length);
        }
        return new ObjectId(digest.clone());
    }

    /** Wraps 32 bytes of {@code buffer} starting at {@code offset}. */
    public static ObjectId fromBytes(byte[] buffer, int offset) {
        return new ObjectId(Arrays.copyOfRange(buffer, offset, offset + LENGTH));
    }

    /**
     * Parses 64 lowercase hex digits; anything else is invalid input naming the text. Validates
     * and decodes in one pass, because every tree entry read contains two or more ids.
     */
    public static ObjectId parse(String hex) {
        if (hex == null || hex.length() != HEX_LENGTH) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.objectId.invalid", hex);
        }
        byte[] out = new byte[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            int high = digit(hex.charAt(2 * i));
            int low = digit(hex.charAt(2 * i + 1));
            if ((high | low) < 0) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.objectId.invalid", hex);
            }
            out[i] = (byte) (high << 4 | low);
        }
        ObjectId id = new ObjectId(out);
        id.hex = hex;
        return id;
    }

    /** Returns the value of a lowercase hex digit, or -1 for any other character. */
    private static int digit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return -1;
    }

    /** Returns true for exactly 64 lowercase hex digits. */
    public static boolean isValidHex(String text) {
        if (text == null || text.length() != HEX_LENGTH) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    public byte[] toBytes() {
        return bytes.clone();
    }

    /** Returns byte {@code i} of the id as an unsigned value. */
    public int byteAt(int i) {
        return bytes[i] & 0xff;
    }

    public String hex() {
        String h = hex;
        if (h == null) {
            h = Hex.encodeHexString(bytes);
            hex = h;
        }
        return h;
    }

    /** Returns the first {@code n} hex digits, as shown in listings. */
    public String abbreviate(int n) {
        return hex().substring(0, n);
    }

    @Override
    public int compareTo(ObjectId other) {
        return Arrays.compareUnsigned(bytes, other.bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ObjectId other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return hex();
    }
}
