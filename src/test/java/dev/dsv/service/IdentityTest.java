package dev.dsv.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dsv.repo.RepositoryConfig;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The order in which a person id and a committer are found: option, environment, configuration. */
class IdentityTest {
    private static RepositoryConfig withUser(String userId) {
        RepositoryConfig d = RepositoryConfig.defaults();
        return new RepositoryConfig(d.cellTypes(), d.defectTypes(), d.splits(), d.sources(), d.lockTimeoutSeconds(),
                d.repositoryId(), d.protectedBranches(), ZoneOffset.UTC, userId);
    }

    @Test
    void personOrder() {
        RepositoryConfig config = withUser("from-config");
        Map<String, String> env = Map.of("DSV_USER", " from-env ");
        assertEquals("from-option", Identity.person(" from-option ", config, env::get));
        assertEquals("from-env", Identity.person(null, config, env::get));
        assertEquals("from-env", Identity.person("  ", config, env::get), "a blank option counts as not given");
        assertEquals("from-config", Identity.person(null, config, Map.<String, String>of()::get));
        assertEquals("from-config", Identity.person(null, config, Map.of("DSV_USER", "")::get));
        assertNull(Identity.person(null, withUser(null), Map.<String, String>of()::get));
    }

    @Test
    void committerOrder() {
        RepositoryConfig config = withUser("from-config");
        assertEquals("bot", Identity.committer(config, Map.of("DSV_COMMITTER", "bot", "DSV_USER", "from-env")::get));
        assertEquals("from-env", Identity.committer(config, Map.of("DSV_USER", "from-env")::get));
        assertEquals("from-config", Identity.committer(config, Map.<String, String>of()::get));
        String fallback = Identity.committer(withUser(null), Map.<String, String>of()::get);
        assertTrue(fallback.startsWith(System.getProperty("user.name") + "@"), fallback);
    }
}
