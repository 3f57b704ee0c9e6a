package dev.dsv.testing;

import java.nio.ByteBuffer;
import java.util.zip.CRC32;

/** Crafts image files whose header declares another size than their pixel data has. */
public final class HeaderEdit {
    private HeaderEdit() {
    }

    /**
     * Returns {@code image} with its header changed to declare {@code width} x {@code height}
     * pixels: the PNG IHDR fields (with a recomputed CRC) or the JPEG SOF0 fields. The pixel data
     * stays that of the small image.
     */
    public static byte[] declaring(byte[] image, String format, int width, int height) {
        byte[] out = image.clone();
        ByteBuffer buffer = ByteBuffer.wrap(out);
        if (format.equals("png")) {
            // Signature (8 bytes), IHDR length (4) and type (4), then width and height.
            buffer.putInt(16, width);
            buffer.putInt(20, height);
            CRC32 crc = new CRC32();
            crc.update(out, 12, 17);
            buffer.putInt(29, (int) crc.getValue());
            return out;
        }
        for (int i = 2; i + 9 < out.length; i++) {
            if ((out[i] & 0xFF) == 0xFF && (out[i + 1] & 0xFF) == 0xC0) {
                // SOF0: marker (2 bytes), length (2), precision (1), height (2), width (2).
                buffer.putShort(i + 5, (short) height);
                buffer.putShort(i + 7, (short) width);
                return out;
            }
        }
        throw new AssertionError("no SOF0 marker in the JPEG");
    }
}
