package dev.dsv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dsv.testing.CliResult;
import dev.dsv.testing.Dsv;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Usage help renders without picocli format warnings (a bare % in a description). */
class HelpTextTest {
    @TempDir
    Path tmp;

    @Test
    void qualityHelpFormatsCleanly() {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        CliResult group;
        CliResult agreement;
        try {
            group = Dsv.run(tmp, "quality", "--help");
            agreement = Dsv.run(tmp, "quality", "agreement", "--help");
        } finally {
            System.setErr(original);
        }
        String warnings = captured.toString(StandardCharsets.UTF_8) + group.err() + agreement.err();
        assertEquals(0, group.exitCode(), group.toString());
        assertEquals(0, agreement.exitCode(), agreement.toString());
        assertFalse(warnings.contains("WARN"), warnings);
        assertTrue(agreement.out().contains("95%") && !agreement.out().contains("95%%"), agreement.toString());
    }
}
