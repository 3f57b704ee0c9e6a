package dev.dsv.ingest;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Reads the stat of a file with one system call, including the inode change time (ctime), which
 * the public {@link BasicFileAttributes} lack.
 *
 * <p>On Unix the JDK's own attribute class contains ctime, device and inode. When the launcher opens
 * {@code java.base/sun.nio.fs} to dsv (scripts/dsv passes {@code --add-opens}), they are read from
 * it through method handles. Otherwise the {@code unix} attribute view gives the same values
 * through a map, which costs several times more CPU per file. Where there is no {@code unix} view
 * (Windows), ctime, device and inode are {@link #UNKNOWN}.
 */
public final class FileStats {
    /** The value of ctime, device or inode where the file system does not report it. */
    public static final long UNKNOWN = -1;

    private static final String UNIX_ATTRIBUTES =
            "unix:size,lastModifiedTime,ctime,dev,ino,fileKey,isRegularFile,isDirectory,isSymbolicLink";
    private static final boolean UNIX_VIEW = FileSystems.getDefault().supportedFileAttributeViews().contains("unix");

    /** The JDK's class behind {@link PosixFileAttributes} on Unix, or null when its accessors are closed to dsv. */
    private static final Class<?> JDK_ATTRIBUTES;
    private static final MethodHandle CTIME;
    private static final MethodHandle DEVICE;
    private static final MethodHandle INODE;

    static {
        Class<?> type = null;
        MethodHandle ctime = null;
        MethodHandle device = null;
        MethodHandle inode = null;
        if (UNIX_VIEW) {
            try {
                type = Class.forName("sun.nio.fs.UnixFileAttributes");
                ctime = accessor(type, "ctime", FileTime.class);
                device = accessor(type, "dev", long.class);
                inode = accessor(type, "ino", long.class);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // Not opened to this module (InaccessibleObjectException) or another JDK: use the view.
                type = null;
                ctime = null;
            }
        }
        JDK_ATTRIBUTES = ctime == null ? null : type;
        CTIME = ctime;
        DEVICE = device;
        INODE = inode;
    }

    private FileStats() {
    }

    /** The stat of one file. Times are in nanoseconds since the epoch. */
    public record Stat(boolean isRegularFile, boolean isDirectory, boolean isSymbolicLink, long size, long mtimeNanos,
                       long ctimeNanos, long device, long inode, Object fileKey) {
        /**
         * Returns the later of mtime and ctime. A check for files changed too recently to trust
         * their stat must use both. On a file system that keeps whole seconds, an edit that puts
         * the mtime back, made in the same second as an earlier read, leaves both times unchanged.
         * Only a recent ctime shows that the file may still be changing.
         */
        public long changedNanos() {
            return Math.max(mtimeNanos, ctimeNanos);
        }
    }

    private static MethodHandle accessor(Class<?> type, String name, Class<?> result) throws ReflectiveOperationException {
        Method m = type.getDeclaredMethod(name);
        m.setAccessible(true);
        return MethodHandles.lookup().unreflect(m)
                .asType(MethodType.methodType(result, PosixFileAttributes.class));
    }

    /** Returns true when ctime is read through the JDK's attribute class, the fast way. */
    static boolean readsJdkAttributes() {
        return JDK_ATTRIBUTES != null;
    }

    /**
     * Reads the stat of {@code file}, following a symbolic link unless
     * {@link LinkOption#NOFOLLOW_LINKS} is given.
     */
    public static Stat read(Path file, LinkOption... options) throws IOException {
        if (JDK_ATTRIBUTES != null) {
            PosixFileAttributes a = Files.readAttributes(file, PosixFileAttributes.class, options);
            if (JDK_ATTRIBUTES.isInstance(a)) {
                try {
                    FileTime ctime = (FileTime) CTIME.invokeExact(a);
                    long device = (long) DEVICE.invokeExact(a);
                    long inode = (long) INODE.invokeExact(a);
                    return new Stat(a.isRegularFile(), a.isDirectory(), a.isSymbolicLink(), a.size(),
                            nanos(a.lastModifiedTime()), nanos(ctime), device, inode, a.fileKey());
                } catch (RuntimeException | Error e) {
                    throw e;
                } catch (Throwable e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return readPortable(file, options);
    }

    /** Reads the stat through the public attribute views only; {@link #read} falls back to it. */
    static Stat readPortable(Path file, LinkOption... options) throws IOException {
        if (UNIX_VIEW) {
            Map<String, Object> m = Files.readAttributes(file, UNIX_ATTRIBUTES, options);
            return new Stat((Boolean) m.get("isRegularFile"), (Boolean) m.get("isDirectory"),
                    (Boolean) m.get("isSymbolicLink"), (Long) m.get("size"), nanos((FileTime) m.get("lastModifiedTime")),
                    nanos((FileTime) m.get("ctime")), (Long) m.get("dev"), (Long) m.get("ino"), m.get("fileKey"));
        }
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, options);
        return new Stat(a.isRegularFile(), a.isDirectory(), a.isSymbolicLink(), a.size(), nanos(a.lastModifiedTime()),
                UNKNOWN, UNKNOWN, UNKNOWN, a.fileKey());
    }

    private static long nanos(FileTime t) {
        return t.to(TimeUnit.NANOSECONDS);
    }
}
