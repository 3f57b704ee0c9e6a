package dev.dsv.ingest;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.model.ObjectId;
import dev.dsv.store.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Width and height in pixels of a stored or exported image, read by {@link ImageCheck}. */
public record ImageSize(int width, int height) {

    /** Reads the size of an image file. */
    public static ImageSize of(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ImageInfo info = ImageCheck.check(channel);
            return new ImageSize(info.width(), info.height());
        } catch (InvalidImageException e) {
            throw new DsvException(ExitCode.INTEGRITY, e, "error.image.sizeUnreadable", file, e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads the size of a stored image. The blob is spooled to a temporary file because
     * {@link ImageCheck} reads by position (a TIFF directory may sit at the end of the file).
     */
    public static ImageSize ofBlob(ObjectStore store, ObjectId blob) {
        Path tmp = null;
        try (InputStream in = store.openBlob(blob)) {
            tmp = Files.createTempFile("dsv-size-", ".img");
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            return of(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // A leftover file in the temporary folder does no harm.
                }
            }
        }
    }
}
