package io.dih.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Elasticsearch fixture: a node of its own starts, checks passwords, survives a stop, and leaves nothing behind. */
class TestingElasticsearchServerIT {
    @Test
    void startsIndexesChecksPasswordsRestartsAndStopsWithItsProcesses() throws Exception {
        TestingElasticsearchServer es = TestingElasticsearchServer.start();
        List<ProcessHandle> processes;
        try {
            assertThat(es.url()).isEqualTo("http://127.0.0.1:" + es.httpPort());
            es.createIndex("fixture", "{\"properties\":{\"name\":{\"type\":\"keyword\"}}}");
            es.index("fixture", "1", "{\"name\":\"one\"}");
            assertThat(es.document("fixture", "1")).contains("\"name\":\"one\"");
            assertThat(es.document("fixture", "2")).isNull();
            assertThat(status(es, es.username(), es.password())).isEqualTo(200);
            assertThat(status(es, es.username(), "wrong")).isEqualTo(401);

            es.stop();
            assertThatThrownBy(() -> es.request("GET", "/_cluster/health", null)).hasMessageContaining(es.url());
            es.restart();
            assertThat(es.document("fixture", "1")).as("data survives a stop").contains("\"name\":\"one\"");
            processes = es.processes();
            assertThat(processes).hasSizeGreaterThanOrEqualTo(2);
            assertThat(Files.isDirectory(es.workDir())).isTrue();
        } finally {
            es.close();
        }
        es.close();
        assertThat(processes).noneMatch(ProcessHandle::isAlive);
        assertThat(Files.exists(es.workDir())).isFalse();
    }

    private static int status(TestingElasticsearchServer es, String user, String password) throws Exception {
        String auth = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(es.url() + "/_cluster/health"))
                .header("Authorization", "Basic " + auth).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode();
    }
}
