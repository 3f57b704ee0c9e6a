package dev.dsv.ingest;

import static dev.dsv.ingest.ImageCheck.GRAYSCALE_ONLY;
import static dev.dsv.ingest.ImageCheck.malformed;
import static dev.dsv.ingest.ImageCheck.truncated;
import static dev.dsv.ingest.ImageCheck.unsupported;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks a classic (not BigTIFF) TIFF file. The first IFD must describe an 8- or 16-bit grayscale
 * image whose strips or tiles cover it and end inside the file. Up to {@link #TIFF_MAX_IFDS} IFDs
 * in the chain must lie in the file together with their strips or tiles. Strip and tile contents
 * are not read.
 */
final class TiffCheck {

    /** Maximum number of TIFF IFDs whose position is checked. */
    private static final int TIFF_MAX_IFDS = 1024;

    /** Bytes per block when reading TIFF strip and tile tables. */
    private static final int TIFF_TABLE_BLOCK = 4096;

    private static final int TAG_IMAGE_WIDTH = 256;
    private static final int TAG_IMAGE_LENGTH = 257;
    private static final int TAG_BITS_PER_SAMPLE = 258;
    private static final int TAG_PHOTOMETRIC = 262;
    private static final int TAG_STRIP_OFFSETS = 273;
    private static final int TAG_SAMPLES_PER_PIXEL = 277;
    private static final int TAG_ROWS_PER_STRIP = 278;
    private static final int TAG_STRIP_BYTE_COUNTS = 279;
    private static final int TAG_TILE_WIDTH = 322;
    private static final int TAG_TILE_LENGTH = 323;
    private static final int TAG_TILE_OFFSETS = 324;
    private static final int TAG_TILE_BYTE_COUNTS = 325;
    private static final int TAG_SAMPLE_FORMAT = 339;

    private static final int TYPE_BYTE = 1;
    private static final int TYPE_SHORT = 3;
    private static final int TYPE_LONG = 4;

    /** One 12-byte IFD entry; {@code field} is its 4-byte value or offset field. */
    private record TiffEntry(int tag, int type, long count, ByteBuffer field) {
    }

    private record TiffIfd(long offset, List<TiffEntry> entries, long nextOffset) {

        TiffEntry find(int tag) {
            for (TiffEntry entry : entries) {
                if (entry.tag == tag) {
                    return entry;
                }
            }
            return null;
        }
    }

    private TiffCheck() {
    }

    static ImageInfo check(PositionalReader source, ByteOrder order)
            throws IOException, InvalidImageException {
        ByteBuffer header = source.read(0, 8, order, "TIFF header");
        long firstOffset = Integer.toUnsignedLong(header.getInt(4));
        if (firstOffset < 8) {
            throw malformed("TIFF header points to the first IFD at byte " + firstOffset
                    + ", inside the 8-byte header");
        }
        TiffIfd first = readTiffIfd(source, order, firstOffset);
        ImageInfo info = checkTiffImage(source, order, first);
        checkTiffIfdChain(source, order, firstOffset, first.nextOffset);
        return info;
    }

    /** Reads the IFD at {@code offset} and checks that every out-of-line value lies in the file. */
    private static TiffIfd readTiffIfd(PositionalReader source, ByteOrder order, long offset)
            throws IOException, InvalidImageException {
        int entryCount = source.read(offset, 2, order, "TIFF IFD entry count").getShort(0) & 0xFFFF;
        if (entryCount == 0) {
            throw malformed("TIFF IFD at byte " + offset + " has no entries");
        }
        ByteBuffer table = source.read(offset + 2, entryCount * 12 + 4, order, "TIFF IFD");

        List<TiffEntry> entries = new ArrayList<>(entryCount);
        for (int i = 0; i < entryCount; i++) {
            int base = i * 12;
            int tag = table.getShort(base) & 0xFFFF;
            int type = table.getShort(base + 2) & 0xFFFF;
            long count = Integer.toUnsignedLong(table.getInt(base + 4));
            ByteBuffer field = table.slice(base + 8, 4).order(order);
            TiffEntry entry = new TiffEntry(tag, type, count, field);
            entries.add(entry);

            long byteLength = count * tiffTypeSize(type);
            if (byteLength > 4) {
                long valueOffset = Integer.toUnsignedLong(field.getInt(0));
                long valueEnd = valueOffset + byteLength;
                if (valueEnd > source.size) {
                    throw truncated("TIFF tag " + tag + " in the IFD at byte " + offset
                            + " has values from byte " + valueOffset + " to byte " + valueEnd
                            + ", past the end of the file at byte " + source.size);
                }
            }
        }
        long nextOffset = Integer.toUnsignedLong(table.getInt(entryCount * 12));
        return new TiffIfd(offset, entries, nextOffset);
    }

    /** Returns the byte size of one value of a TIFF 6.0 field type, or 0 for an unknown type. */
    private static int tiffTypeSize(int type) {
        return switch (type) {
            case 1, 2, 6, 7 -> 1;
            case 3, 8 -> 2;
            case 4, 9, 11, 13 -> 4;
            case 5, 10, 12 -> 8;
            default -> 0;
        };
    }

    private static ImageInfo checkTiffImage(PositionalReader source, ByteOrder order, TiffIfd ifd)
            throws IOException, InvalidImageException {
        long width = requiredTiffValue(source, order, ifd, TAG_IMAGE_WIDTH, "ImageWidth");
        long height = requiredTiffValue(source, order, ifd, TAG_IMAGE_LENGTH, "ImageLength");
        if (width == 0 || width > Integer.MAX_VALUE) {
            throw malformed("TIFF ImageWidth is " + width + ", expected 1 to 2^31-1");
        }
        if (height == 0 || height > Integer.MAX_VALUE) {
            throw malformed("TIFF ImageLength is " + height + ", expected 1 to 2^31-1");
        }

        long samplesPerPixel = optionalTiffValue(source, order, ifd, TAG_SAMPLES_PER_PIXEL, 1);
        long bitsPerSample = optionalTiffValue(source, order, ifd, TAG_BITS_PER_SAMPLE, 1);
        long sampleFormat = optionalTiffValue(source, order, ifd, TAG_SAMPLE_FORMAT, 1);
        long photometric = requiredTiffValue(source, order, ifd, TAG_PHOTOMETRIC,
                "PhotometricInterpretation");

        boolean gray = samplesPerPixel == 1 && (photometric == 0 || photometric == 1);
        if (!gray) {
            throw unsupported(bitsPerSample + "-bit TIFF with photometric interpretation " + photometric
                    + " (" + describePhotometric(photometric) + ") and SamplesPerPixel " + samplesPerPixel
                    + "; " + GRAYSCALE_ONLY + " (SamplesPerPixel 1, photometric 0 or 1)");
        }
        if (bitsPerSample != 8 && bitsPerSample != 16) {
            throw unsupported(bitsPerSample + "-bit grayscale TIFF; " + GRAYSCALE_ONLY);
        }
        if (sampleFormat != 1) {
            throw unsupported("TIFF grayscale with SampleFormat " + sampleFormat
                    + "; dsv accepts unsigned integer samples (SampleFormat 1)");
        }

        checkTiffPixelData(source, order, ifd, width, height);
        return new ImageInfo(ImageFormat.TIFF, (int) width, (int) height, (int) bitsPerSample);
    }

    private static String describePhotometric(long photometric) {
        return switch ((int) Math.min(photometric, Integer.MAX_VALUE)) {
            case 0 -> "WhiteIsZero";
            case 1 -> "BlackIsZero";
            case 2 -> "RGB";
            case 3 -> "palette";
            case 4 -> "transparency mask";
            case 5 -> "CMYK";
            case 6 -> "YCbCr";
            case 8 -> "CIELab";
            default -> "not grayscale";
        };
    }

    /** Checks that the strip or tile table covers the image and that every block ends in the file. */
    private static void checkTiffPixelData(PositionalReader source, ByteOrder order, TiffIfd ifd, long width,
            long height) throws IOException, InvalidImageException {
        TiffEntry tileOffsets = ifd.find(TAG_TILE_OFFSETS);
        TiffEntry tileByteCounts = ifd.find(TAG_TILE_BYTE_COUNTS);
        TiffEntry stripOffsets = ifd.find(TAG_STRIP_OFFSETS);
        TiffEntry stripByteCounts = ifd.find(TAG_STRIP_BYTE_COUNTS);

        if (tileOffsets != null || tileByteCounts != null) {
            if (tileOffsets == null || tileByteCounts == null) {
                throw malformed("TIFF has only one of TileOffsets (324) and TileByteCounts (325)");
            }
            long tileWidth = requiredTiffValue(source, order, ifd, TAG_TILE_WIDTH, "TileWidth");
            long tileLength = requiredTiffValue(source, order, ifd, TAG_TILE_LENGTH, "TileLength");
            if (tileWidth == 0 || tileLength == 0) {
                throw malformed("TIFF TileWidth " + tileWidth + " or TileLength " + tileLength + " is 0");
            }
            long expected = ceilDiv(width, tileWidth) * ceilDiv(height, tileLength);
            checkTiffBlocks(source, order, ifd, "tile", tileOffsets, tileByteCounts, expected);
            return;
        }

        if (stripOffsets == null || stripByteCounts == null) {
            throw malformed("TIFF has no StripOffsets (273) with StripByteCounts (279) and no"
                    + " TileOffsets (324) with TileByteCounts (325)");
        }
        long rowsPerStrip = optionalTiffValue(source, order, ifd, TAG_ROWS_PER_STRIP, 0xFFFFFFFFL);
        if (rowsPerStrip == 0) {
            throw malformed("TIFF RowsPerStrip is 0");
        }
        long expected = ceilDiv(height, Math.min(rowsPerStrip, height));
        checkTiffBlocks(source, order, ifd, "strip", stripOffsets, stripByteCounts, expected);
    }

    /**
     * Checks that each strip or tile of {@code ifd} ends inside the file and that there are at
     * least {@code expected} of them.
     */
    private static void checkTiffBlocks(PositionalReader source, ByteOrder order, TiffIfd ifd, String kind,
            TiffEntry offsets, TiffEntry byteCounts, long expected)
            throws IOException, InvalidImageException {
        String where = " in the IFD at byte " + ifd.offset;
        if (offsets.count != byteCounts.count) {
            throw malformed("TIFF has " + offsets.count + " " + kind + " offsets but "
                    + byteCounts.count + " " + kind + " byte counts" + where);
        }
        if (offsets.count < expected) {
            throw malformed("TIFF has " + offsets.count + " " + kind + "s" + where
                    + ", but the image size needs " + expected);
        }
        TiffValues offsetValues = new TiffValues(source, order, offsets);
        TiffValues countValues = new TiffValues(source, order, byteCounts);
        for (long i = 0; i < offsets.count; i++) {
            long start = offsetValues.next();
            long end = start + countValues.next();
            if (end > source.size) {
                throw truncated("TIFF " + kind + " " + i + " of " + offsets.count + where
                        + " spans byte " + start + " to byte " + end
                        + ", past the end of the file at byte " + source.size);
            }
        }
    }

    /**
     * Walks the IFDs after the first one, checking that each IFD, its out-of-line values and its
     * strips or tiles lie in the file. Their pixel type is not checked, because later IFDs may be
     * thumbnails or other pages that dsv does not read.
     */
    private static void checkTiffIfdChain(PositionalReader source, ByteOrder order, long firstOffset,
            long nextOffset) throws IOException, InvalidImageException {
        Set<Long> visited = new HashSet<>();
        visited.add(firstOffset);
        long offset = nextOffset;
        // NOTE: IFDs after the first TIFF_MAX_IFDS are not checked, so a damaged tail of a long
        // multi-page file can pass.
        for (int checked = 1; offset != 0 && checked < TIFF_MAX_IFDS; checked++) {
            if (offset < 8) {
                throw malformed("TIFF IFD offset " + offset + " points inside the 8-byte header");
            }
            if (!visited.add(offset)) {
                throw malformed("TIFF IFD chain loops back to the IFD at byte " + offset);
            }
            TiffIfd ifd = readTiffIfd(source, order, offset);
            checkTiffBlockRanges(source, order, ifd);
            offset = ifd.nextOffset;
        }
    }

    private static void checkTiffBlockRanges(PositionalReader source, ByteOrder order, TiffIfd ifd)
            throws IOException, InvalidImageException {
        TiffEntry tileOffsets = ifd.find(TAG_TILE_OFFSETS);
        TiffEntry tileByteCounts = ifd.find(TAG_TILE_BYTE_COUNTS);
        if (tileOffsets != null && tileByteCounts != null) {
            checkTiffBlocks(source, order, ifd, "tile", tileOffsets, tileByteCounts, 0);
        }
        TiffEntry stripOffsets = ifd.find(TAG_STRIP_OFFSETS);
        TiffEntry stripByteCounts = ifd.find(TAG_STRIP_BYTE_COUNTS);
        if (stripOffsets != null && stripByteCounts != null) {
            checkTiffBlocks(source, order, ifd, "strip", stripOffsets, stripByteCounts, 0);
        }
    }

    private static long requiredTiffValue(PositionalReader source, ByteOrder order, TiffIfd ifd, int tag,
            String name) throws IOException, InvalidImageException {
        TiffEntry entry = ifd.find(tag);
        if (entry == null) {
            throw malformed("TIFF tag " + tag + " (" + name + ") missing");
        }
        return firstTiffValue(source, order, entry);
    }

    private static long optionalTiffValue(PositionalReader source, ByteOrder order, TiffIfd ifd, int tag,
            long defaultValue) throws IOException, InvalidImageException {
        TiffEntry entry = ifd.find(tag);
        return entry == null ? defaultValue : firstTiffValue(source, order, entry);
    }

    private static long firstTiffValue(PositionalReader source, ByteOrder order, TiffEntry entry)
            throws IOException, InvalidImageException {
        if (entry.count == 0) {
            throw malformed("TIFF tag " + entry.tag + " has no values");
        }
        return new TiffValues(source, order, entry).next();
    }

    /** Sequential reader of the unsigned BYTE, SHORT or LONG values of one TIFF entry. */
    private static final class TiffValues {
        private final PositionalReader source;
        private final ByteOrder order;
        private final int valueSize;
        private final long start;
        private final long byteLength;
        private ByteBuffer block;
        private long read;

        TiffValues(PositionalReader source, ByteOrder order, TiffEntry entry) throws InvalidImageException {
            if (entry.type != TYPE_BYTE && entry.type != TYPE_SHORT && entry.type != TYPE_LONG) {
                throw malformed("TIFF tag " + entry.tag + " has field type " + entry.type
                        + ", expected BYTE (1), SHORT (3) or LONG (4)");
            }
            this.source = source;
            this.order = order;
            this.valueSize = tiffTypeSize(entry.type);
            this.byteLength = entry.count * valueSize;
            if (byteLength <= 4) {
                this.start = -1;
                this.block = entry.field.duplicate().order(order);
                this.block.limit((int) byteLength);
            } else {
                this.start = Integer.toUnsignedLong(entry.field.getInt(0));
                this.block = ByteBuffer.allocate(0);
            }
        }

        long next() throws IOException, InvalidImageException {
            if (!block.hasRemaining()) {
                int length = (int) Math.min(TIFF_TABLE_BLOCK, byteLength - read);
                block = source.read(start + read, length, order, "TIFF value table");
            }
            read += valueSize;
            return switch (valueSize) {
                case 1 -> block.get() & 0xFF;
                case 2 -> block.getShort() & 0xFFFF;
                default -> Integer.toUnsignedLong(block.getInt());
            };
        }
    }

    private static long ceilDiv(long dividend, long divisor) {
        return (dividend + divisor - 1) / divisor;
    }
}
