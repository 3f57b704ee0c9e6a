package dev.dsv.service;

import dev.dsv.repo.RepositoryConfig;
import java.util.function.UnaryOperator;

/**
 * Who runs dsv. A person id (labeler, verifier) comes from the command's option, else the
 * {@value #USER_VARIABLE} environment variable (for CI jobs), else {@code user.id} of the
 * repository configuration. The author of a commit or record is {@value #COMMITTER_VARIABLE}
 * when set, else that person id, else the operating-system user at this host, so that a commit is
 * never anonymous.
 */
public final class Identity {
    /** The environment variable with the person id for CI jobs. */
    public static final String USER_VARIABLE = "DSV_USER";
    /** The environment variable with the default committer name. */
    public static final String COMMITTER_VARIABLE = "DSV_COMMITTER";

    private Identity() {
    }

    /** Returns the person id: {@code option}, else {@value #USER_VARIABLE}, else {@code user.id}, else null. */
    public static String person(String option, RepositoryConfig config) {
        return person(option, config, System::getenv);
    }

    /** Returns the person id as {@link #person(String, RepositoryConfig)}, reading variables through {@code environment}. */
    public static String person(String option, RepositoryConfig config, UnaryOperator<String> environment) {
        if (option != null && !option.isBlank()) {
            return option.strip();
        }
        String variable = environment.apply(USER_VARIABLE);
        if (variable != null && !variable.isBlank()) {
            return variable.strip();
        }
        return config == null ? null : config.userId();
    }

    /** Returns the author of a new commit or record in a repository with configuration {@code config}. */
    public static String committer(RepositoryConfig config) {
        return committer(config, System::getenv);
    }

    /** Returns the author as {@link #committer(RepositoryConfig)}, reading variables through {@code environment}. */
    public static String committer(RepositoryConfig config, UnaryOperator<String> environment) {
        String configured = environment.apply(COMMITTER_VARIABLE);
        if (configured != null && !configured.isBlank()) {
            return configured.strip();
        }
        String person = person(null, config, environment);
        if (person != null) {
            return person;
        }
        String user = System.getProperty("user.name", "unknown");
        return user + "@" + dev.dsv.repo.HostName.get();
    }
}
