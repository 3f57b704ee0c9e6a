package dev.dsv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Terminal column widths and padding of ASCII, Chinese, full-width and combining text. */
class TextColumnsTest {
    @Test
    void widthCountsWideCharactersTwice() {
        assertEquals(4, TextColumns.width("mono"));
        assertEquals(6, TextColumns.width("电池片"));
        assertEquals(9, TextColumns.width("HJT-单晶a"));
        assertEquals(4, TextColumns.width("（）"), "full-width brackets");
        assertEquals(4, TextColumns.width("\uD842\uDFB7\uD842\uDFB7"), "two supplementary-plane ideographs");
        assertEquals(4, TextColumns.width("cafe\u0301"), "a combining accent takes no column");
    }

    @Test
    void padMatchesFormatForAscii() {
        assertEquals(String.format("%-12s", "mono"), TextColumns.pad("mono", 12));
        assertEquals("longer-than-width", TextColumns.pad("longer-than-width", 4));
    }

    @Test
    void padAlignsChineseText() {
        assertEquals("单晶        ", TextColumns.pad("单晶", 12));
        assertEquals(12, TextColumns.width(TextColumns.pad("单晶", 12)));
        assertEquals(TextColumns.width(TextColumns.pad("mono", 12)), TextColumns.width(TextColumns.pad("多晶-半片", 12)));
    }
}
