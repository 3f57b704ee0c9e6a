package dev.dsv.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dsv.model.ObjectId;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The order in which push uploads new commits: every commit after its parents, so that a push
 * interrupted between two commit packs never leaves a commit on the remote without its history.
 */
class PushOrderTest {
    private static ObjectId id(char c) {
        return ObjectId.parse(String.valueOf(c).repeat(64));
    }

    private static void assertParentsFirst(List<ObjectId> order, Map<ObjectId, List<ObjectId>> parents) {
        assertEquals(parents.size(), order.size(), "every new commit once: " + order);
        assertEquals(parents.size(), new HashSet<>(order).size(), "no commit twice: " + order);
        for (ObjectId commit : order) {
            for (ObjectId parent : parents.get(commit)) {
                if (parents.containsKey(parent)) {
                    assertTrue(order.indexOf(parent) < order.indexOf(commit),
                            parent.abbreviate(4) + " before " + commit.abbreviate(4) + " in " + order);
                }
            }
        }
    }

    @Test
    void mergeOfUnequalLinesPutsParentsFirst() {
        // e (on the remote already) <- 1 <- c <- b <- a, and 1 <- d; f merges d and a.
        ObjectId onRemote = id('e');
        ObjectId base = id('1');
        ObjectId c = id('c');
        ObjectId b = id('b');
        ObjectId a = id('a');
        ObjectId d = id('d');
        ObjectId merge = id('f');
        Map<ObjectId, List<ObjectId>> parents = Map.of(
                base, List.of(onRemote),
                c, List.of(base),
                b, List.of(c),
                a, List.of(b),
                d, List.of(base),
                merge, List.of(d, a));

        assertParentsFirst(PushService.parentsFirst(List.of(merge), parents), parents);
    }

    @Test
    void severalHeadsShareHistory() {
        ObjectId base = id('1');
        ObjectId tagged = id('2');
        ObjectId head = id('3');
        Map<ObjectId, List<ObjectId>> parents = Map.of(
                base, List.of(),
                tagged, List.of(base),
                head, List.of(tagged));

        List<ObjectId> order = PushService.parentsFirst(List.of(tagged, head), parents);

        assertEquals(List.of(base, tagged, head), order);
    }

    @Test
    void headOnRemoteAddsNothing() {
        assertEquals(List.of(), PushService.parentsFirst(List.of(id('9')), Map.of()));
    }
}
