package io.dih.server.query;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's cached answers of one endpoint, by expanded cache key: each kept until its TTL passes and served only
 * while it is fresh (the caller checks the regions' generations and versions against those it was computed at). Bounded: at
 * {@link #MAX_ANSWERS} answers, expired ones are dropped, and if none were, new answers are not cached until some
 * expire.
 */
final class ResultCache {
    static final int MAX_ANSWERS = 10_000;

    /**
     * @param stamp    the {@link RegionGenerations} clock when the query started
     * @param versions the {@link RegionVersions} of the endpoint's regions when the query started
     */
    record Answer(EndpointResult result, long stamp, java.util.List<Long> versions, long expiresAtNanos) {
    }

    private final Map<String, Answer> answers = new ConcurrentHashMap<>();

    /** The answer under the key, if it has not expired (an expired one is dropped). */
    Answer get(String key, long nowNanos) {
        Answer a = answers.get(key);
        if (a != null && a.expiresAtNanos() - nowNanos <= 0) {
            answers.remove(key, a);
            return null;
        }
        return a;
    }

    void put(String key, Answer answer, long nowNanos) {
        if (answers.size() >= MAX_ANSWERS && !answers.containsKey(key)) {
            Iterator<Answer> it = answers.values().iterator();
            while (it.hasNext()) {
                if (it.next().expiresAtNanos() - nowNanos <= 0) {
                    it.remove();
                }
            }
            if (answers.size() >= MAX_ANSWERS) {
                return;
            }
        }
        answers.put(key, answer);
    }

    void remove(String key, Answer answer) {
        answers.remove(key, answer);
    }

    int size() {
        return answers.size();
    }
}
