package dev.dsv.exports;

/** The manifest file of an export: CSV with a header row, or one JSON object per line. */
public enum ManifestFormat {
    CSV("manifest.csv"),
    JSONL("manifest.jsonl");

    private final String fileName;

    ManifestFormat(String fileName) {
        this.fileName = fileName;
    }

    public String fileName() {
        return fileName;
    }
}
