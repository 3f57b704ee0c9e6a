package dev.dsv.index;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

class IndexDiskErrorTest {
    @Test
    void fullDiskIsDiskError() {
        assertTrue(Index.isDiskError(new SQLiteException("full", SQLiteErrorCode.SQLITE_FULL)));
    }

    @Test
    void extendedIoErrorIsDiskError() {
        assertTrue(Index.isDiskError(new SQLiteException("shm", SQLiteErrorCode.SQLITE_IOERR_SHMSIZE)));
    }

    @Test
    void corruptionIsNotDiskError() {
        assertFalse(Index.isDiskError(new SQLiteException("corrupt", SQLiteErrorCode.SQLITE_CORRUPT)));
    }

    @Test
    void plainSqlExceptionIsNotDiskError() {
        assertFalse(Index.isDiskError(new SQLException("no such table")));
    }
}
