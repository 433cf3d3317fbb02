package io.dih.connector.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ElasticsearchConnectorConfigTest {
    private static List<FieldError> errors(Map<String, Object> p) {
        List<FieldError> errors = new ArrayList<>();
        ElasticsearchConnectorConfig.parse(p, (f, v) -> v, errors);
        return errors;
    }

    @Test
    void defaults() {
        ElasticsearchConnectorConfig c = ElasticsearchConnectorConfig.parseOrThrow(Map.of("url", "http://es.local"), (f, v) -> v);
        assertThat(c.hosts()).containsExactly(URI.create("http://es.local:9200"));
        assertThat(c.username()).isNull();
        assertThat(c.connectTimeoutSeconds()).isEqualTo(5);
        assertThat(c.socketTimeoutSeconds()).isEqualTo(30);
        assertThat(c.pageSize()).isEqualTo(1000);
        assertThat(c.refresh()).isEqualTo("false");
        assertThat(c.where()).isEqualTo("es.local:9200");
    }

    @Test
    void everyKey() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("hosts", List.of("https://a:9201", "b:9202"));
        p.put("username", "u");
        p.put("password", "${ES_PASSWORD}");
        p.put("ca_fingerprint", "AA:" + "bb".repeat(31));
        p.put("connect_timeout_seconds", 3);
        p.put("socket_timeout_seconds", "60");
        p.put("page_size", 500);
        p.put("refresh", "WAIT_FOR");
        assertThat(errors(p)).extracting(FieldError::field).containsExactly("connection_params.ca_fingerprint"); // b:9202 is http
        p.put("hosts", "https://a:9201,https://b:9202");
        ElasticsearchConnectorConfig c = ElasticsearchConnectorConfig.parseOrThrow(p, (f, v) -> v.equals("${ES_PASSWORD}") ? "s3cret" : v);
        assertThat(c.hosts()).containsExactly(URI.create("https://a:9201"), URI.create("https://b:9202"));
        assertThat(c.password()).isEqualTo("s3cret");
        assertThat(c.caFingerprint()).isEqualTo("aa" + "bb".repeat(31));
        assertThat(c.refresh()).isEqualTo("wait_for");
        assertThat(c.toString()).doesNotContain("s3cret");
    }

    @Test
    void eachInvalidValueNamesItsField() {
        assertThat(errors(Map.of())).extracting(FieldError::field).containsExactly("connection_params.url");
        assertThat(errors(Map.of("url", "ftp://x:1"))).extracting(FieldError::field).containsExactly("connection_params.url");
        assertThat(errors(Map.of("url", "http://x:1/path"))).extracting(FieldError::field).containsExactly("connection_params.url");
        assertThat(errors(Map.of("url", "http://x:1", "hosts", "y:2"))).extracting(FieldError::field).containsExactly("connection_params.hosts");
        assertThat(errors(Map.of("url", "http://x:1", "username", "u"))).extracting(FieldError::field).containsExactly("connection_params.password");
        assertThat(errors(Map.of("url", "http://x:1", "username", "u", "password", "p", "api_key", "k")))
                .extracting(FieldError::field).containsExactly("connection_params.api_key");
        assertThat(errors(Map.of("url", "https://x:1", "ca_fingerprint", "abc"))).extracting(FieldError::field)
                .containsExactly("connection_params.ca_fingerprint");
        assertThat(errors(Map.of("url", "http://x:1", "page_size", 0, "refresh", "later", "port", 1)))
                .extracting(FieldError::field).containsExactlyInAnyOrder("connection_params.page_size", "connection_params.refresh",
                        "connection_params.port");
    }

    @Test
    void credentialsInAUrlAreRefusedWithoutShowingThem() {
        List<FieldError> e = errors(Map.of("url", "http://user:Pa55word@x:9200"));
        assertThat(e).extracting(FieldError::field).containsExactly("connection_params.url");
        assertThat(e.get(0).message()).doesNotContain("Pa55word");
        assertThatThrownBy(() -> ElasticsearchConnectorConfig.parseOrThrow(Map.of("url", "ftp://user:Pa55word@x"), (f, v) -> v))
                .isInstanceOf(InvalidSpecException.class).satisfies(t -> assertThat(t.getMessage()).doesNotContain("Pa55word"));
    }
}
