package dev.dsv.cli;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.model.ObjectId;
import dev.dsv.service.Session;
import dev.dsv.service.VocabularyMapper;
import picocli.CommandLine.Option;

/** The {@code --vocabulary} option of ls, diff and export: read defect names as recorded or as today's. */
final class VocabularyOption {
    @Option(names = "--vocabulary", paramLabel = "recorded|current", descriptionKey = "vocab.option")
    String vocabulary;

    /** Returns true when defect names are mapped to today's vocabulary. */
    boolean current() {
        if (vocabulary == null || vocabulary.equals("recorded")) {
            return false;
        }
        if (vocabulary.equals("current")) {
            return true;
        }
        throw new DsvException(ExitCode.USAGE, "error.vocab.optionValue", vocabulary);
    }

    /** Returns the mapper for a commit's names: the identity unless {@code --vocabulary current}. */
    VocabularyMapper mapper(Session session, ObjectId commit) {
        return current() ? VocabularyMapper.forCommit(session, commit) : VocabularyMapper.IDENTITY;
    }
}
