package dev.dsv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dsv.service.Progress;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TerminalOutputTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void colourOnlyOnInteractiveTerminal() {
        assertTrue(Terminal.of(true, Map.of("TERM", "xterm"), false, false).colour());
        assertFalse(Terminal.of(false, Map.of("TERM", "xterm"), false, false).colour(), "no console");
        assertFalse(Terminal.of(true, Map.of("NO_COLOR", "1"), false, false).colour(), "NO_COLOR");
        assertTrue(Terminal.of(true, Map.of("NO_COLOR", ""), false, false).colour(), "empty NO_COLOR");
        assertFalse(Terminal.of(true, Map.of("TERM", "dumb"), false, false).colour(), "dumb terminal");
        assertFalse(Terminal.of(true, Map.of(), true, false).colour(), "--no-color");
        assertFalse(Terminal.of(true, Map.of("CI", "true"), false, false).colour(), "CI");
    }

    @Test
    void ciIsNotInteractive() {
        assertFalse(Terminal.of(true, Map.of("CI", "true"), false, false).interactive());
        assertTrue(Terminal.of(true, Map.of("CI", "false"), false, false).interactive());
        assertTrue(Terminal.of(true, Map.of("CI", "true"), false, false).ci());
    }

    @Test
    void paintAddsCodesOnlyWithColour() {
        Terminal on = Terminal.of(true, Map.of(), false, false);
        Terminal off = Terminal.of(true, Map.of("NO_COLOR", "1"), false, false);
        assertEquals(Terminal.RED + "x" + Terminal.RESET, on.paint(Terminal.RED, "x"));
        assertEquals("x", off.paint(Terminal.RED, "x"));
    }

    @Test
    void quietShowsNoProgress() {
        StringWriter text = new StringWriter();
        Progress p = TerminalProgress.forConsole(new PrintWriter(text), Terminal.of(false, Map.of(), false, true));
        assertEquals(Progress.NONE, p);
    }

    @Test
    void lineProgressWaitsThenPrintsAtLowRate() {
        StringWriter text = new StringWriter();
        AtomicLong now = new AtomicLong();
        LineProgress p = new LineProgress(new PrintWriter(text, true), now::get);
        p.start("hash", 1000);
        for (int i = 0; i < 100; i++) {
            now.addAndGet(SECOND / 20);
            p.advance(1);
        }
        assertEquals("", text.toString(), "nothing in the first 5 seconds");
        for (int i = 0; i < 400; i++) {
            now.addAndGet(SECOND / 20);
            p.advance(1);
        }
        String[] lines = text.toString().split("\\R");
        assertEquals(2, lines.length, text.toString());
        assertEquals("dsv: hash 200/1000 (20%) after 10 s", lines[0]);
        assertEquals("dsv: hash 400/1000 (40%) after 20 s", lines[1]);
        p.finish();
        assertTrue(text.toString().endsWith("dsv: hash 500/1000 (50%) after 25 s" + System.lineSeparator()), text.toString());
    }

    @Test
    void shortPhasePrintsNothing() {
        StringWriter text = new StringWriter();
        AtomicLong now = new AtomicLong();
        LineProgress p = new LineProgress(new PrintWriter(text, true), now::get);
        p.start("hash", 10);
        now.addAndGet(SECOND);
        p.advance(10);
        p.finish();
        assertEquals("", text.toString());
    }

    @Test
    void barShowsShareRateAndTimeLeft() {
        AtomicLong now = new AtomicLong();
        TerminalProgress p = new TerminalProgress(new PrintWriter(new StringWriter()),
                Terminal.of(true, Map.of("NO_COLOR", "1"), false, false), now::get);
        p.start("hash", 1000);
        now.addAndGet(2 * SECOND);
        assertEquals("hash [######..................]  25%  250/1000  125/s  6s left", p.line(250, now.get()));
        assertEquals("1h01m", TerminalProgress.duration(3660));
        assertEquals("2m05s", TerminalProgress.duration(125));
    }

    @Test
    void globalOptionsAccepted(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) {
        assertEquals(0, dev.dsv.testing.Dsv.run(tmp, "--no-color", "-q", "init", "lib").exitCode());
        dev.dsv.testing.CliResult r = dev.dsv.testing.Dsv.run(tmp.resolve("lib"), "--no-color", "--quiet", "show", "nosuch");
        assertEquals(5, r.exitCode());
        assertFalse(r.err().contains("\u001b["), r.err());
    }
}
