package dev.dsv.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dsv.error.Problem;
import dev.dsv.ingest.LabelRow;
import dev.dsv.ingest.SourceFile;
import dev.dsv.model.CanonicalJson;
import dev.dsv.model.Defect;
import dev.dsv.model.Region;
import dev.dsv.model.Times;
import dev.dsv.repo.RepositoryConfig;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a raw labels row plus the flag defaults into a validated {@link ImageDraft}, checking
 * every value against the vocabularies. Each invalid value becomes a problem naming the row.
 */
final class LabelRowResolver {
    /**
     * How far past this machine's clock a labeled-at time may lie: enough for a labeling PC whose
     * clock runs a little ahead, too little to let a record dated after a pause slip in.
     */
    static final java.time.Duration CLOCK_SKEW = java.time.Duration.ofMinutes(10);
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final String SYNTHETIC = "synthetic";
    /** A generator is NAME@VERSION: no spaces, exactly one '@', both parts non-empty. */
    private static final java.util.regex.Pattern GENERATOR = java.util.regex.Pattern.compile("[^@\\s]+@[^@\\s]+");

    private final Session session;
    private final RepositoryConfig config;
    private final LabelDefaults defaults;
    private OffsetDateTime firstFutureLimit;
    /** The known guideline versions, read when the first row names one. */
    private java.util.Set<String> guidelines;

    LabelRowResolver(Session session, LabelDefaults defaults) {
        this.session = session;
        this.config = session.repository().config();
        this.defaults = defaults;
    }

    /**
     * A labeler's judgement read from a row: defects, confidence, labeler, optional time and the
     * guideline version followed (null when none was given).
     */
    record Judgement(List<Defect> defects, BigDecimal confidence, String labeler, OffsetDateTime labeledAt,
                     String guideline) {
    }

    /** Returns the draft, or null after adding at least one problem. */
    ImageDraft resolve(SourceFile file, String datasetPath, LabelRow row, List<Problem> problems) {
        String where = row == null ? file.file().toString() : row.where();
        int before = problems.size();

        String cellType = vocabulary(first(row == null ? null : row.cellType(), defaults.cellType()),
                config.cellTypes(), where, problems);
        String source = vocabulary(first(row == null ? null : row.source(), defaults.source()),
                config.sources(), where, problems);
        String splitText = first(row == null ? null : row.split(), defaults.split());
        String split = splitText == null || splitText.equalsIgnoreCase("none") ? null
                : vocabulary(splitText, config.splits(), where, problems);
        String generator = first(row == null ? null : row.generator(), defaults.generator());
        if (generator != null && generator.isBlank()) {
            generator = null;
        }
        if (source != null && source.equals(SYNTHETIC) && generator == null) {
            problems.add(new Problem("error.add.syntheticWithoutGenerator", where));
        } else if (source != null && source.equals(SYNTHETIC) && !GENERATOR.matcher(generator).matches()) {
            problems.add(new Problem("error.add.generatorFormat", where, generator));
        }
        if (source != null && !source.equals(SYNTHETIC) && generator != null) {
            problems.add(new Problem("error.add.generatorNotSynthetic", where, generator, source));
        }
        Judgement judgement = judgement(row, where, problems);

        if (cellType == null && problems.size() == before) {
            problems.add(new Problem("error.add.missingValue", where, "cell_type", "--cell-type"));
        }
        if (source == null && problems.size() == before) {
            problems.add(new Problem("error.add.missingValue", where, "source", "--source"));
        }
        if (problems.size() > before) {
            return null;
        }
        return new ImageDraft(file, datasetPath, cellType, judgement.defects(), split, judgement.confidence(),
                judgement.labeler(), judgement.labeledAt(), source, generator,
                row == null ? CanonicalJson.newObject() : row.attributes(), where, judgement.guideline());
    }

    /**
     * Reads the judgement part of a row (defects, regions, confidence, labeler, labeled-at), with
     * the flag defaults for what the row lacks. Returns null after adding a problem.
     */
    /**
     * Returns the limit for future times as it was at the first call. The real limit only moves
     * later, so a time before this one is not in the future, and only a later time needs the
     * clock read again (which costs more than the rest of a row).
     */
    private OffsetDateTime earliestFutureLimit() {
        if (firstFutureLimit == null) {
            firstFutureLimit = Times.now().plus(CLOCK_SKEW);
        }
        return firstFutureLimit;
    }

    Judgement judgement(LabelRow row, String where, List<Problem> problems) {
        int before = problems.size();
        String labeler = first(row == null ? null : row.labeler(), defaults.labeler());
        if (labeler == null || labeler.isBlank()) {
            problems.add(new Problem("error.add.missingLabeler", where));
        } else if (labeler.chars().anyMatch(Character::isISOControl)) {
            problems.add(new Problem("error.add.controlCharacter", where, "labeler"));
        }

        OffsetDateTime labeledAt = null;
        String timeText = first(row == null ? null : row.labeledAt(), defaults.labeledAt());
        if (timeText != null) {
            labeledAt = Times.parseOrNull(timeText);
            if (labeledAt == null) {
                problems.add(new Problem("error.add.invalidTime", where, timeText));
            } else if (labeledAt.isAfter(earliestFutureLimit()) && labeledAt.isAfter(Times.now().plus(CLOCK_SKEW))) {
                boolean fromRow = row != null && row.labeledAt() != null;
                problems.add(new Problem("error.add.futureTime", fromRow ? where : "--labeled-at", timeText,
                        CLOCK_SKEW.toMinutes()));
            }
        }

        BigDecimal confidence = null;
        String confidenceText = first(row == null ? null : row.confidence(), defaults.confidence());
        if (confidenceText != null) {
            try {
                confidence = CanonicalJson.parseModest(confidenceText);
                if (confidence.signum() < 0 || confidence.compareTo(BigDecimal.ONE) > 0) {
                    problems.add(new Problem("error.add.invalidConfidence", where, confidenceText));
                }
            } catch (NumberFormatException e) {
                problems.add(new Problem("error.add.invalidConfidence", where, confidenceText));
            }
        }

        String guideline = guideline(first(row == null ? null : row.guideline(), defaults.guideline()), where, problems);

        List<String> defectNames = row != null && row.defects() != null ? row.defects()
                : defaults.defects() != null ? defaults.defects() : List.of();
        Map<String, List<Region>> defects = new LinkedHashMap<>();
        boolean none = defectNames.stream().anyMatch(d -> d.equalsIgnoreCase(Defect.NONE));
        if (none && defectNames.size() > 1) {
            problems.add(new Problem("error.add.noneWithDefects", where, String.join(";", defectNames)));
        }
        for (String d : defectNames) {
            if (d.equalsIgnoreCase(Defect.NONE)) {
                continue;
            }
            String type = vocabulary(d, config.defectTypes(), where, problems);
            if (type != null) {
                defects.putIfAbsent(type, new ArrayList<>());
            }
        }
        if (row != null && row.regionsJson() != null) {
            parseRegions(row.regionsJson(), defects, where, problems);
        }
        if (problems.size() > before) {
            return null;
        }
        List<Defect> defectList = new ArrayList<>();
        defects.forEach((type, regions) -> defectList.add(new Defect(type, regions)));
        return new Judgement(defectList, confidence, CanonicalJson.nfc(labeler), labeledAt, guideline);
    }

    /**
     * Checks a guideline version against the recorded ones; returns it, or null when none was
     * given or after adding a problem. A format-1 repository cannot hold such a label at all.
     */
    private String guideline(String text, String where, List<Problem> problems) {
        if (text == null || text.isBlank()) {
            return null;
        }
        session.repository().requireLabelV2("a label with a guideline version");
        if (guidelines == null) {
            guidelines = new GuidelineService(session).versions();
        }
        String version = CanonicalJson.nfc(text.strip());
        if (!guidelines.contains(version)) {
            problems.add(new Problem("error.guideline.unknownIn", where, version, GuidelineService.known(guidelines)));
            return null;
        }
        return version;
    }

    private void parseRegions(String text, Map<String, List<Region>> defects, String where, List<Problem> problems) {
        try {
            JsonNode array = JSON.readTree(text);
            if (array == null || !array.isArray()) {
                throw new IllegalArgumentException("not a JSON array");
            }
            for (JsonNode r : array) {
                if (!r.isObject() || !r.has("defect")) {
                    throw new IllegalArgumentException("every region needs a \"defect\"");
                }
                r.fieldNames().forEachRemaining(k -> {
                    if (!java.util.Set.of("defect", "box", "polygon").contains(k)) {
                        throw new IllegalArgumentException("unknown region key \"" + k + "\"");
                    }
                });
                if (r.has("box") && r.has("polygon")) {
                    throw new IllegalArgumentException("a region is a box or a polygon, not both");
                }
                String type = vocabulary(r.path("defect").asText(null), config.defectTypes(), where, problems);
                if (type == null) {
                    continue;
                }
                if (!defects.containsKey(type)) {
                    throw new IllegalArgumentException("region defect \"" + type + "\" is not among the row's defects");
                }
                Region region;
                if (r.has("box")) {
                    List<BigDecimal> box = numbers(r.get("box"));
                    if (box.size() != 4 || box.get(2).signum() <= 0 || box.get(3).signum() <= 0) {
                        throw new IllegalArgumentException("a box is [x, y, width, height] with positive size");
                    }
                    region = Region.box(box);
                } else if (r.has("polygon")) {
                    List<List<BigDecimal>> points = new ArrayList<>();
                    for (JsonNode p : r.get("polygon")) {
                        List<BigDecimal> xy = numbers(p);
                        if (xy.size() != 2) {
                            throw new IllegalArgumentException("a polygon point is [x, y]");
                        }
                        points.add(xy);
                    }
                    if (points.size() < 3) {
                        throw new IllegalArgumentException("a polygon needs at least 3 points");
                    }
                    region = Region.polygon(points);
                } else {
                    throw new IllegalArgumentException("a region needs \"box\" or \"polygon\"");
                }
                defects.computeIfAbsent(type, k -> new ArrayList<>()).add(region);
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            problems.add(new Problem("error.add.invalidRegions", where, "not valid JSON: " + e.getOriginalMessage()));
        } catch (IllegalArgumentException e) {
            problems.add(new Problem("error.add.invalidRegions", where, e.getMessage()));
        }
    }

    private static List<BigDecimal> numbers(JsonNode array) {
        List<BigDecimal> values = new ArrayList<>();
        for (JsonNode v : array) {
            if (!CanonicalJson.isModestNumber(v)) {
                throw new IllegalArgumentException("coordinate '" + v + "' is not a number of at most 100 digits");
            }
            values.add(v.decimalValue());
        }
        return values;
    }

    private static String first(String a, String b) {
        return a != null ? a : b;
    }

    private static String vocabulary(String value, dev.dsv.repo.Vocabulary vocab, String where, List<Problem> problems) {
        if (value == null) {
            return null;
        }
        String found = vocab.lookup(value);
        if (found == null) {
            problems.add(new Problem("error.vocabulary.unknown", where, vocab.kind(), value, String.join(", ", vocab.values())));
        }
        return found;
    }

}
