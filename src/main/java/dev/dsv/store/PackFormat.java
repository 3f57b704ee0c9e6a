package dev.dsv.store;

import java.nio.charset.StandardCharsets;

/** Constants of the pack and pack-index file formats (see docs/design.md, "Pack files"). */
final class PackFormat {
    static final byte[] PACK_MAGIC = "DSVPACK1".getBytes(StandardCharsets.US_ASCII);
    static final byte[] IDX_MAGIC = "DSVIDX01".getBytes(StandardCharsets.US_ASCII);

    /** Record header: id 32, type 1, encoding 1, uncompressed length 8, stored length 8. */
    static final int RECORD_HEADER = 50;
    static final int IDX_ENTRY = 64;
    static final int IDX_HEADER = 8 + 4 + 256 * 4;
    static final int IDX_TRAILER = 32;

    static final int ENCODING_RAW = 0;
    static final int ENCODING_DEFLATE = 1;

    /**
     * A pack takes no new record past this size. With blobs of at most {@link #MAX_BLOB_BYTES}
     * a pack stays under 2 GiB and so maps into one buffer.
     */
    static final long ROLLOVER_BYTES = 768L << 20;
    static final long MAX_BLOB_BYTES = 1L << 30;

    private PackFormat() {
    }
}
