package dev.dsv.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * The ELPV labels, read from the data set's own labels.csv (whitespace-separated: image path,
 * defect probability, cell type), and converted to a dsv labels CSV.
 */
public final class ElpvLabels {
    private ElpvLabels() {
    }

    /** One ELPV row: file name under images/, probability text, cell type. */
    public record Row(String file, String probability, String cellType) {
        public String defect() {
            return Double.parseDouble(probability) > 0 ? "defective" : "none";
        }
    }

    public static Map<String, Row> read() {
        Map<String, Row> rows = new TreeMap<>();
        try {
            for (String line : Files.readAllLines(Images.ELPV.resolve("labels.csv"))) {
                String[] f = line.trim().split("\\s+");
                if (f.length == 3) {
                    String file = f[0].replaceFirst("^images/", "");
                    rows.put(file, new Row(file, f[1], f[2]));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows;
    }

    /** Writes the rows as a dsv CSV with paths relative to the images folder. */
    public static Path writeDsvCsv(Path target) {
        StringBuilder sb = new StringBuilder("path,cell_type,defects,confidence\n");
        for (Row r : read().values()) {
            sb.append(r.file()).append(',').append(r.cellType()).append(',')
                    .append(r.defect().equals("none") ? "" : r.defect()).append(',').append(r.probability()).append('\n');
        }
        try {
            Files.writeString(target, sb.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }

    /** Counts images per "cell type/defect". */
    public static Map<String, Integer> counts() {
        Map<String, Integer> counts = new TreeMap<>();
        for (Row r : read().values()) {
            counts.merge(r.cellType() + "/" + r.defect(), 1, Integer::sum);
        }
        return counts;
    }
}
