package io.dih.connector.elasticsearch;

import static io.dih.connector.elasticsearch.ElasticsearchConnectorIT.es;
import static io.dih.connector.elasticsearch.ElasticsearchConnectorIT.params;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dih.api.BindingSpec;
import io.dih.api.SqlType;
import io.dih.spi.Connector;
import io.dih.spi.ConnectorContext;
import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import io.dih.spi.SourceRejectedException;
import io.dih.spi.SourceTable;
import io.dih.spi.UnavailableException;
import io.dih.testing.FreePorts;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the contract does not cover: nested documents, query_dsl, dates, and each kind of bad input. */
class ElasticsearchDocumentsIT {
    private static final String BOOKS = "{\"properties\":{\"title\":{\"type\":\"text\"},\"pages\":{\"type\":\"integer\","
            + "\"ignore_malformed\":true},\"published\":{\"type\":\"date\"},\"in_print\":{\"type\":\"boolean\"},"
            + "\"author\":{\"properties\":{\"name\":{\"type\":\"keyword\"},\"born\":{\"type\":\"short\"}}},"
            + "\"tags\":{\"type\":\"nested\",\"properties\":{\"tag\":{\"type\":\"keyword\"}}}}}";

    private static Connector connect(Map<String, Object> params) {
        return new ElasticsearchConnectorFactory().create("docs", params, ConnectorContext.of(Map.of()));
    }

    private static BindingSpec books(Map<String, String> mapping, Map<String, Object> options) {
        return new BindingSpec(null, null, null, mapping, null, null, options);
    }

    private static void createBooks() {
        es().createIndex("books", BOOKS);
        es().index("books", "b1", "{\"title\":\"Dune\",\"pages\":412,\"published\":\"1965-08-01T00:00:00Z\",\"in_print\":true,"
                + "\"author\":{\"name\":\"Herbert\",\"born\":1920},\"tags\":[{\"tag\":\"sf\"}]}");
        es().index("books", "b2", "{\"title\":\"Emma\",\"pages\":\"many\",\"author.name\":\"Austen\",\"published\":-4825958400000}");
    }

    @Test
    void nestedFieldsAreDottedColumnsAndObjectsAreJson() {
        createBooks();
        try (Connector c = connect(params())) {
            BindingSpec b = books(Map.of("writer", "author.name"), Map.of("index", "books"));
            SourceTable t = c.describe(b);
            assertThat(t.primaryKey()).containsExactly("_id");
            assertThat(t.columns()).containsEntry("_id", SqlType.VARCHAR).containsEntry("title", SqlType.VARCHAR)
                    .containsEntry("pages", SqlType.INT).containsEntry("published", SqlType.TIMESTAMP)
                    .containsEntry("in_print", SqlType.BOOLEAN).containsEntry("author", SqlType.VARCHAR)
                    .containsEntry("author.name", SqlType.VARCHAR).containsEntry("author.born", SqlType.SMALLINT)
                    .containsEntry("tags", SqlType.VARCHAR);
            List<Map<String, Object>> rows = new ArrayList<>();
            assertThat(c.load(b, null, r -> rows.add(new LinkedHashMap<>(r)))).isNull();
            assertThat(rows).hasSize(2);
            Map<String, Object> dune = rows.stream().filter(r -> "b1".equals(r.get("_id"))).findFirst().orElseThrow();
            assertThat(dune).containsEntry("pages", 412).containsEntry("author.name", "Herbert").containsEntry("author.born", (short) 1920)
                    .containsEntry("in_print", true);
            assertThat(((Timestamp) dune.get("published")).toInstant()).isEqualTo(Instant.parse("1965-08-01T00:00:00Z"));
            assertThat((String) dune.get("tags")).isEqualTo("[{\"tag\":\"sf\"}]");
            assertThat((String) dune.get("author")).contains("\"name\":\"Herbert\"");
            Map<String, Object> emma = rows.stream().filter(r -> "b2".equals(r.get("_id"))).findFirst().orElseThrow();
            assertThat(emma.get("author.name")).as("a key with dots in _source").isEqualTo("Austen");
            assertThat(emma.get("pages")).as("a value that does not fit its column stays as it came: the hub dead-letters the row")
                    .isEqualTo("many");
            assertThat(((Timestamp) emma.get("published")).getTime()).as("epoch millis").isEqualTo(-4825958400000L);

            assertThat(c.read(b, Map.of("_id", "b1"))).hasValueSatisfying(r -> assertThat(r).containsEntry("title", "Dune"));
            assertThat(c.read(b, Map.of("_id", "nope"))).isEmpty();
        }
    }

    @Test
    void writesNestObjectsAndKeepFieldsTheRowLacks() {
        createBooks();
        try (Connector c = connect(params())) {
            BindingSpec b = books(null, Map.of("index", "books"));
            c.describe(b);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("_id", "b1");
            row.put("author.name", "F. Herbert");
            row.put("tags", "[{\"tag\":\"classic\"}]");
            Map<String, Object> fresh = new LinkedHashMap<>(Map.of("_id", "b3", "title", "Ulysses", "pages", 730));
            c.write(b, List.of(row, fresh), List.of(Map.of("_id", "b2")));
            Map<String, Object> b1 = ElasticsearchConnectorIT.source("books", "b1").orElseThrow();
            assertThat(b1).containsEntry("title", "Dune").containsEntry("tags", List.of(Map.of("tag", "classic")));
            assertThat(b1.get("author")).isEqualTo(Map.of("name", "F. Herbert", "born", 1920));
            assertThat(ElasticsearchConnectorIT.source("books", "b3")).hasValueSatisfying(d -> assertThat(d).containsEntry("pages", 730));
            assertThat(ElasticsearchConnectorIT.source("books", "b2")).isEmpty();
        }
    }

    @Test
    void queryDslSelectsDocumentsAndABadOneIsAnErrorAtDescribe() {
        createBooks();
        try (Connector c = connect(params())) {
            BindingSpec inPrint = books(null, Map.of("index", "books", "query_dsl", Map.of("term", Map.of("in_print", true))));
            c.describe(inPrint);
            assertThat(c.count(inPrint, null)).hasValue(1);
            List<Object> ids = new ArrayList<>();
            c.load(inPrint, null, r -> ids.add(r.get("_id")));
            assertThat(ids).containsExactly("b1");
            assertThat(c.read(inPrint, Map.of("_id", "b2"))).as("outside the query").isEmpty();
            assertThat(c.read(inPrint, Map.of("_id", "b1"))).isPresent();

            BindingSpec bad = books(null, Map.of("index", "books", "query_dsl", "{\"no_such_query\":{}}"));
            assertThatThrownBy(() -> c.describe(bad)).isInstanceOfSatisfying(InvalidSpecException.class,
                    e -> assertThat(e.field()).isEqualTo("query_dsl"));
            assertThatThrownBy(() -> c.describe(books(null, Map.of("index", "books", "colour", "red"))))
                    .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("colour"));
        }
    }

    @Test
    void missingIndexIsNamed() {
        try (Connector c = connect(params())) {
            assertThatThrownBy(() -> c.describe(books(null, Map.of("index", "no-such-index"))))
                    .isInstanceOfSatisfying(InvalidSpecException.class, e -> {
                        assertThat(e.field()).isEqualTo("index");
                        assertThat(e.getMessage()).contains("'no-such-index'", "does not exist");
                    });
        }
    }

    @Test
    void wrongCredentialsAreA400NamingTheUserNeverThePassword() {
        Map<String, Object> p = params();
        p.put("password", "Wrong-Secret-991");
        assertThatThrownBy(() -> connect(p)).isInstanceOfSatisfying(InvalidSpecException.class, e -> {
            assertThat(e.field()).isEqualTo("connection_params.username");
            assertThat(e.getMessage()).contains("401", es().host() + ":" + es().httpPort()).doesNotContain("Wrong-Secret-991");
        });
        Map<String, Object> key = params();
        key.remove("username");
        key.remove("password");
        key.put("api_key", "bm90LWEta2V5OnJlYWxseQ==");
        assertThatThrownBy(() -> connect(key)).isInstanceOfSatisfying(InvalidSpecException.class, e -> {
            assertThat(e.field()).isEqualTo("connection_params.api_key");
            assertThat(e.getMessage()).doesNotContain("bm90LWEta2V5OnJlYWxseQ==");
        });
    }

    @Test
    void unreachableHostsAreNamed() {
        Map<String, Object> p = params();
        int port = FreePorts.next();
        p.put("url", "http://127.0.0.1:" + port);
        p.put("connect_timeout_seconds", 2);
        assertThatThrownBy(() -> connect(p)).isInstanceOfSatisfying(UnavailableException.class,
                e -> assertThat(e.getMessage()).contains("127.0.0.1:" + port).doesNotContain(es().password()));
    }

    @Test
    void aBulkItemTheMappingRejectsFailsOnlyThatItem() {
        es().createIndex("strict_items", ElasticsearchConnectorIT.MAPPINGS);
        try (Connector c = connect(params())) {
            BindingSpec b = new BindingSpec("strict_items", null, List.of("id"), null, null, null);
            c.describe(b);
            Map<String, Object> ok = new LinkedHashMap<>(Map.of("id", 1L, "name", "ok", "amount", BigDecimal.ONE, "version", 1L));
            Map<String, Object> unknownField = new LinkedHashMap<>(Map.of("id", 2L, "name", "x", "colour", "red"));
            Map<String, Object> notANumber = new LinkedHashMap<>(Map.of("id", 3L, "name", "y", "amount", "lots"));
            assertThatThrownBy(() -> c.write(b, List.of(ok, unknownField, notANumber), List.of()))
                    .isInstanceOfSatisfying(SourceRejectedException.class, e -> assertThat(e.getMessage())
                            .contains("refused 2 of 3", "[id=2", "strict_dynamic_mapping_exception", "[id=3", "amount"));
            assertThat(ElasticsearchConnectorIT.source("strict_items", "1")).isPresent();
            assertThat(ElasticsearchConnectorIT.source("strict_items", "2")).isEmpty();
            assertThat(ElasticsearchConnectorIT.source("strict_items", "3")).isEmpty();
        }
    }

    @Test
    void bindingMistakesNameTheirFields() {
        es().createIndex("binding_checks", ElasticsearchConnectorIT.MAPPINGS);
        try (Connector c = connect(params())) {
            List<FieldError> errors = new ArrayList<>();
            try {
                c.describe(new BindingSpec("binding_checks", null, List.of("nope"), Map.of("label", "no.such"), "name", null));
            } catch (InvalidSpecException e) {
                errors.addAll(e.errors());
            }
            assertThat(errors).extracting(FieldError::field).containsExactlyInAnyOrder("key_columns", "mapping.label", "watermark_column");
            assertThatThrownBy(() -> c.describe(new BindingSpec(null, "select 1", null, null, null, null)))
                    .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.errors()).extracting(FieldError::field)
                            .contains("query"));
        }
    }
}
