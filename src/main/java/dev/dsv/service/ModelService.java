package dev.dsv.service;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.model.MetaRecord;
import dev.dsv.model.Times;
import dev.dsv.repo.RepositoryLock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * Model lineage: {@code dsv model register} records in the metadata log that a model was trained
 * on a data commit (and, with a code folder, which git commit of the training code, read with
 * JGit); {@code list --affected-by} finds the models whose data contains a given commit.
 */
public final class ModelService {
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    /** A registered model. {@code unprotected} marks a data commit on no protected branch. */
    public record Model(String name, dev.dsv.model.ObjectId data, String codeCommit, Boolean codeDirty,
                       Map<String, Object> metrics, String registeredBy, String registeredAt, boolean unprotected) {
    }

    private final Session session;

    public ModelService(Session session) {
        this.session = session;
    }

    public Model register(String name, String dataRevision, Path codeDir, Path metricsFile, String author) {
        if (name == null || name.isBlank() || name.chars().anyMatch(Character::isISOControl) || !name.strip().equals(name)) {
            throw new DsvException(ExitCode.USAGE, "error.model.name");
        }
        try (RepositoryLock lock = session.lock("model register")) {
            if (find(name) != null) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.model.exists", name);
            }
            dev.dsv.model.ObjectId data = session.resolve(dataRevision);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            if (codeDir != null) {
                readCode(codeDir, body);
            }
            if (metricsFile != null) {
                body.put("metrics", readMetrics(metricsFile));
            }
            body.put("protected_branch", onProtectedBranch(data));
            MetaRecord r = new MetaRecord(MetaKinds.MODEL, data, author == null ? Identity.committer(session.repository().config()) : author,
                    Times.now(), body);
            session.repository().metadataLog().append(r);
            return toModel(r);
        }
    }

    private static void readCode(Path dir, Map<String, Object> body) {
        try (Repository repo = new FileRepositoryBuilder().findGitDir(dir.toFile()).setMustExist(true).build();
             Git git = new Git(repo)) {
            org.eclipse.jgit.lib.ObjectId head = repo.resolve("HEAD");
            if (head == null) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.model.codeNoCommit", dir);
            }
            body.put("code_commit", head.name());
            body.put("code_dirty", !git.status().call().isClean());
        } catch (IOException | IllegalArgumentException | org.eclipse.jgit.api.errors.GitAPIException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.model.codeNotGit", dir,
                    java.nio.file.Files.isDirectory(dir) ? "no .git found in it or its parents" : "no such folder");
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> readMetrics(Path file) {
        try {
            Object value = JSON.readValue(Files.readAllBytes(file), Object.class);
            if (!(value instanceof Map)) {
                throw new DsvException(ExitCode.INVALID_INPUT, "error.model.metrics", file, "not a JSON object");
            }
            return normalize((Map<String, Object>) value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.model.metrics", file, e.getOriginalMessage());
        } catch (NumberFormatException e) {
            // A decimal whose exponent does not fit BigDecimal's scale, such as 1e-9999999999.
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.model.metrics", file, e.getMessage());
        } catch (IOException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.model.metrics", file,
                    e instanceof java.nio.file.NoSuchFileException ? "not found" : e.getMessage());
        }
    }

    /** Converts JSON numbers to the types canonical JSON accepts (long or BigDecimal). */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> normalize(Map<String, Object> in) {
        Map<String, Object> out = new LinkedHashMap<>();
        in.forEach((k, v) -> {
            if (v instanceof Map<?, ?> m) {
                out.put(k, normalize((Map<String, Object>) m));
            } else if (v instanceof Integer i) {
                out.put(k, i.longValue());
            } else if (v instanceof java.math.BigInteger b) {
                out.put(k, new java.math.BigDecimal(b));
            } else if (v instanceof List<?> || v instanceof String || v instanceof Long || v instanceof Boolean
                    || v instanceof java.math.BigDecimal) {
                out.put(k, v);
            } else if (v != null) {
                out.put(k, String.valueOf(v));
            }
        });
        return out;
    }

    /** Returns true when a protected branch contains the commit (main, unless the configuration lists others). */
    private boolean onProtectedBranch(dev.dsv.model.ObjectId commit) {
        var repo = session.repository();
        for (String branch : session.repository().config().protectedBranches()) {
            dev.dsv.model.ObjectId head = repo.readBranch(branch);
            if (head != null && new MergeService(session).isAncestor(commit, head)) {
                return true;
            }
        }
        return false;
    }

    public List<Model> list(String affectedByRevision) {
        dev.dsv.model.ObjectId affected = affectedByRevision == null ? null : session.resolve(affectedByRevision);
        List<Model> out = new ArrayList<>();
        MergeService ancestry = new MergeService(session);
        for (MetaQuery.Entry e : MetaQuery.ofKind(session, MetaKinds.MODEL)) {
            if (affected == null || ancestry.isAncestor(affected, e.record().subject())) {
                out.add(toModel(e.record()));
            }
        }
        return out;
    }

    /** Returns the model with that name, or null. */
    public Model find(String name) {
        for (MetaQuery.Entry e : MetaQuery.ofKind(session, MetaKinds.MODEL)) {
            if (name.equals(e.record().body().get("name"))) {
                return toModel(e.record());
            }
        }
        return null;
    }

    /** Builds the view of a record; whether its data is on a protected branch is decided now, not at registration. */
    @SuppressWarnings("unchecked")
    private Model toModel(MetaRecord r) {
        Map<String, Object> b = r.body();
        return new Model((String) b.get("name"), r.subject(), (String) b.get("code_commit"),
                (Boolean) b.get("code_dirty"), (Map<String, Object>) b.getOrDefault("metrics", Map.of()), r.author(),
                Times.format(r.time()), !onProtectedBranch(r.subject()));
    }
}
