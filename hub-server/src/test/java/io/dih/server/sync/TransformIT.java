package io.dih.server.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dih.server.testing.Rest;
import io.dih.testing.Await;
import io.dih.testing.TestingKafkaServer;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A binding's transforms on every way rows enter a region — a load, CDC, a stream, read-through — against a real
 * PostgreSQL and Kafka: computed, renamed, dropped and defaulted columns, filters that remove and add rows as they stop
 * or start matching, JSON parsed and flattened, rows that fail a step as dead letters; the dry run; bad transforms.
 */
class TransformIT extends SyncFixture {
    static String pgSource(String name, String region, String table, String mode, String transforms) {
        return """
                {"source_name": "%s", "source_type": "postgresql", "sync_mode": "%s",
                 "connection_params": {"host": "127.0.0.1", "port": %d, "database": "%s", "user": "%s", "password": "%s"},
                 "target_regions": ["%s"], "bindings": {"%s": {"table": "%s", "transforms": %s}}}"""
                .formatted(name, mode, pg.port(), pg.database(), pg.user(), pg.password(), region, region, table, transforms);
    }

    static JsonNode entry(String region, long id) {
        Rest.Response r = rest2.get(REGIONS + "/" + region + "/entries/" + id);
        return r.status() == 200 ? r.json() : null;
    }

    static final String PEOPLE_TRANSFORMS = """
            [{"rename": {"email": "mail"}},
             {"compute": {"full_name": "first + ' ' + last", "per_unit": "age / divisor"}},
             {"filter": "age >= 18"},
             {"drop": ["secret", "divisor"]},
             {"default": {"nickname": "none"}}]""";

    /** Every step kind, for a source that declares its columns (PostgreSQL). */
    static final String EVERY_STEP = """
            [{"rename": {"email": "mail"}},
             {"cast": {"zip": "INT"}},
             {"compute": {"full_name": "first + ' ' + last"}},
             {"filter": "age >= 18"},
             {"drop": ["secret"]},
             {"default": {"nickname": "none"}},
             {"parse_json": "doc"},
             {"flatten": {"doc": "doc_"}}]""";

    /** The same steps for JSON messages, whose fields are taken as they come (CEL dyn): conversions where types matter. */
    static final String EVERY_STEP_SCHEMALESS = """
            [{"rename": {"email": "mail"}},
             {"cast": {"zip": "INT"}},
             {"compute": {"full_name": "string(first) + ' ' + string(last)"}},
             {"filter": "int(age) >= 18"},
             {"drop": ["secret"]},
             {"default": {"nickname": "none"}},
             {"parse_json": "doc"},
             {"flatten": {"doc": "doc_"}}]""";

    static final String EVERYONE_FIELDS = "{\"id\": \"BIGINT\", \"doc_city\": \"VARCHAR\"}";

    /** What every path must make of Ada (an adult, no nickname) through {@link #EVERY_STEP}. */
    static void assertAda(JsonNode ada) {
        assertThat(ada).isNotNull();
        assertThat(ada.path("mail").asText()).as(ada.toString()).isEqualTo("ada@example.org");
        assertThat(ada.path("zip").asInt()).isEqualTo(150);
        assertThat(ada.path("full_name").asText()).isEqualTo("Ada Lovelace");
        assertThat(ada.path("nickname").asText()).isEqualTo("none");
        assertThat(ada.path("doc_city").asText()).isEqualTo("Oslo");
        assertThat(ada.has("secret")).isFalse();
        assertThat(ada.has("email")).isFalse();
    }

    @Test
    void everyStepKindOnTheLoadCdcStreamAndReadThroughPaths() {
        pg.execute("CREATE TABLE everyone (id BIGINT PRIMARY KEY, first TEXT, last TEXT, age INT, email TEXT, zip TEXT, secret TEXT, nickname TEXT, doc TEXT)",
                "INSERT INTO everyone VALUES (1, 'Ada', 'Lovelace', 36, 'ada@example.org', '0150', 's', NULL, '{\"city\": \"Oslo\"}'),"
                        + " (2, 'Tim', 'Young', 12, 'tim@example.org', '0151', 's', 'timmy', '{\"city\": \"Bergen\"}')");
        for (String region : List.of("everyone_load", "everyone_cdc")) {
            assertThat(rest.post(REGIONS, "{\"name\": \"" + region + "\", \"fields\": " + EVERYONE_FIELDS + "}").status()).isEqualTo(201);
        }
        assertThat(rest.post(REGIONS, "{\"name\": \"everyone_read\", \"cache_strategy\": \"READ_THROUGH\", \"fields\": " + EVERYONE_FIELDS + "}")
                .status()).isEqualTo(201);
        for (String[] s : List.of(new String[] {"everyone_load_db", "everyone_load", "LOAD"}, new String[] {"everyone_cdc_db", "everyone_cdc", "CDC"},
                new String[] {"everyone_read_db", "everyone_read", "NONE"})) {
            Rest.Response reg = rest.post(SOURCES, pgSource(s[0], s[1], "everyone", s[2], EVERY_STEP));
            assertThat(reg.status()).as(s[2] + ": " + reg).isEqualTo(201);
        }
        Await.until(Duration.ofSeconds(60), "loaded and snapshotted", () -> entry("everyone_load", 1) != null && entry("everyone_cdc", 1) != null);
        assertAda(entry("everyone_load", 1));
        assertAda(entry("everyone_cdc", 1));
        assertAda(entry("everyone_read", 1));
        for (String region : List.of("everyone_load", "everyone_cdc", "everyone_read")) {
            assertThat(entry(region, 2)).as(region + ": a minor is filtered out").isNull();
        }
        // CDC: Tim comes of age (the row starts matching), Ada's age is corrected (it stops)
        pg.execute("UPDATE everyone SET age = 18 WHERE id = 2", "UPDATE everyone SET age = 17 WHERE id = 1");
        Await.until(Duration.ofSeconds(30), "the CDC region follows the filter", () -> entry("everyone_cdc", 1) == null && entry("everyone_cdc", 2) != null);
        JsonNode tim = entry("everyone_cdc", 2);
        assertThat(tim.path("nickname").asText()).as("a value is kept: default only fills NULL").isEqualTo("timmy");
        assertThat(tim.path("doc_city").asText()).isEqualTo("Bergen");

        TestingKafkaServer kafka = TestingKafkaServer.shared();
        kafka.createTopic("everyone", 1);
        assertThat(rest.post(REGIONS, "{\"name\": \"everyone_stream\", \"fields\": {\"id\": \"BIGINT\", \"first\": \"VARCHAR\", \"last\": \"VARCHAR\","
                + " \"age\": \"INT\", \"mail\": \"VARCHAR\", \"zip\": \"INT\", \"full_name\": \"VARCHAR\", \"nickname\": \"VARCHAR\", \"doc_city\": \"VARCHAR\"}}")
                .status()).isEqualTo(201);
        Rest.Response reg = rest.post(SOURCES, """
                {"source_name": "everyone_stream", "source_type": "kafka", "connection_params": {"bootstrap_servers": "%s"},
                 "target_regions": ["everyone_stream"], "bindings": {"everyone_stream": {"topic": "everyone", "key_columns": ["id"],
                  "transforms": %s}}}""".formatted(kafka.bootstrapServers(), EVERY_STEP_SCHEMALESS));
        assertThat(reg.status()).as(reg.toString()).isEqualTo(201);
        String ada = "{\"id\": 1, \"first\": \"Ada\", \"last\": \"Lovelace\", \"age\": 36, \"email\": \"ada@example.org\", \"zip\": \"0150\","
                + " \"secret\": \"s\", \"nickname\": null, \"doc\": \"{\\\"city\\\": \\\"Oslo\\\"}\"}";
        String tim2 = "{\"id\": 2, \"first\": \"Tim\", \"last\": \"Young\", \"age\": 12, \"email\": \"tim@example.org\", \"zip\": \"0151\","
                + " \"secret\": \"s\", \"doc\": \"{}\"}";
        kafka.sendAll("everyone", List.of(new AbstractMap.SimpleEntry<>("1", ada), new AbstractMap.SimpleEntry<>("2", tim2)));
        Await.until(Duration.ofSeconds(60), "the stream's row", () -> entry("everyone_stream", 1) != null);
        assertAda(entry("everyone_stream", 1));
        assertThat(entry("everyone_stream", 2)).isNull();
    }

    @Test
    void aLoadComputesRenamesDropsFiltersAndDeadLettersWhatFails() {
        pg.execute("CREATE TABLE people (id BIGINT PRIMARY KEY, first TEXT, last TEXT, age INT, email TEXT, secret TEXT, divisor INT)",
                "INSERT INTO people VALUES (1, 'Ada', 'Lovelace', 36, 'ada@example.org', 's1', 2), (2, 'Tim', 'Young', 12, 'tim@example.org', 's2', 1),"
                        + " (3, 'Bad', 'Row', 40, 'bad@example.org', 's3', 0)");
        assertThat(rest.post(REGIONS, "{\"name\": \"people\", \"fields\": {\"id\": \"BIGINT\"}}").status()).isEqualTo(201);
        Rest.Response reg = rest.post(SOURCES, pgSource("people_db", "people", "people", "LOAD", PEOPLE_TRANSFORMS));
        assertThat(reg.status()).as(reg.toString()).isEqualTo(201);
        Await.until(Duration.ofSeconds(30), "loaded", () -> entry("people", 1) != null);
        JsonNode ada = entry("people", 1);
        assertThat(ada.path("full_name").asText()).isEqualTo("Ada Lovelace");
        assertThat(ada.path("mail").asText()).isEqualTo("ada@example.org");
        assertThat(ada.path("per_unit").asLong()).isEqualTo(18);
        assertThat(ada.path("nickname").asText()).isEqualTo("none");
        assertThat(ada.has("secret")).as(ada.toString()).isFalse();
        assertThat(entry("people", 2)).as("filtered out: a minor").isNull();
        JsonNode region = rest.get(REGIONS + "/people").json();
        assertThat(region.toString()).contains("\"full_name\"", "\"mail\"", "\"nickname\"").doesNotContain("\"secret\"", "\"email\"", "\"divisor\"");
        Await.until(Duration.ofSeconds(10), "the failing row is a dead letter",
                () -> rest.get(SOURCES + "/people_db/dead-letters").json().toString().contains("transforms[1]"));
        assertThat(entry("people", 3)).isNull();
    }

    @Test
    void cdcUpdatesThatStopOrStartMatchingRemoveOrAddTheRow() {
        pg.execute("CREATE TABLE members (id BIGINT PRIMARY KEY, name TEXT NOT NULL, active BOOLEAN NOT NULL)",
                "INSERT INTO members VALUES (1, 'one', true), (2, 'two', false)");
        assertThat(rest.post(REGIONS, "{\"name\": \"members\", \"fields\": {\"id\": \"BIGINT\"}}").status()).isEqualTo(201);
        Rest.Response reg = rest.post(SOURCES, pgSource("members_cdc", "members", "members", "CDC",
                "[{\"filter\": \"active\"}, {\"compute\": {\"label\": \"name + '!'\"}}]"));
        assertThat(reg.status()).as(reg.toString()).isEqualTo(201);
        Await.until(Duration.ofSeconds(60), "the snapshot", () -> entry("members", 1) != null);
        assertThat(entry("members", 1).path("label").asText()).isEqualTo("one!");
        assertThat(entry("members", 2)).isNull();
        pg.execute("UPDATE members SET active = false WHERE id = 1", "UPDATE members SET active = true WHERE id = 2");
        Await.until(Duration.ofSeconds(30), "1 stopped matching and left, 2 started and came", () -> entry("members", 1) == null
                && entry("members", 2) != null);
        assertThat(entry("members", 2).path("label").asText()).isEqualTo("two!");
    }

    @Test
    void aStreamParsesAndFlattensJson() {
        TestingKafkaServer kafka = TestingKafkaServer.shared();
        kafka.createTopic("addresses", 1);
        assertThat(rest.post(REGIONS, "{\"name\": \"addresses\", \"fields\": {\"id\": \"BIGINT\", \"addr_city\": \"VARCHAR\", \"addr_zip\": \"VARCHAR\"}}")
                .status()).isEqualTo(201);
        Rest.Response reg = rest.post(SOURCES, """
                {"source_name": "address_stream", "source_type": "kafka", "connection_params": {"bootstrap_servers": "%s"},
                 "target_regions": ["addresses"], "bindings": {"addresses": {"topic": "addresses", "key_columns": ["id"],
                  "transforms": [{"parse_json": "payload"}, {"flatten": {"payload": "addr_"}}]}}}""".formatted(kafka.bootstrapServers()));
        assertThat(reg.status()).as(reg.toString()).isEqualTo(201);
        kafka.sendAll("addresses", List.of(new AbstractMap.SimpleEntry<>("1", "{\"id\": 1, \"payload\": \"{\\\"city\\\": \\\"Oslo\\\", \\\"zip\\\": \\\"0150\\\"}\"}"),
                new AbstractMap.SimpleEntry<>("2", "{\"id\": 2, \"payload\": \"not json\"}")));
        Await.until(Duration.ofSeconds(60), "the flattened row", () -> entry("addresses", 1) != null);
        assertThat(entry("addresses", 1).path("addr_city").asText()).isEqualTo("Oslo");
        assertThat(entry("addresses", 1).path("addr_zip").asText()).isEqualTo("0150");
        Await.until(Duration.ofSeconds(30), "the message whose payload is not JSON is a dead letter",
                () -> rest.get(SOURCES + "/address_stream/dead-letters").json().toString().contains("transforms[0]"));
    }

    @Test
    void readThroughRowsAreTransformed() {
        pg.execute("CREATE TABLE prices (id BIGINT PRIMARY KEY, net DOUBLE PRECISION NOT NULL)", "INSERT INTO prices VALUES (5, 10.0), (6, -1.0)");
        assertThat(rest.post(REGIONS, "{\"name\": \"prices\", \"cache_strategy\": \"READ_THROUGH\", \"fields\": {\"id\": \"BIGINT\"}}").status())
                .isEqualTo(201);
        Rest.Response reg = rest.post(SOURCES, pgSource("price_db", "prices", "prices", "NONE",
                "[{\"compute\": {\"gross\": \"net * 1.2\"}}, {\"filter\": \"net >= 0.0\"}]"));
        assertThat(reg.status()).as(reg.toString()).isEqualTo(201);
        JsonNode five = entry("prices", 5);
        assertThat(five).isNotNull();
        assertThat(five.path("gross").asDouble()).isEqualTo(12.0);
        assertThat(entry("prices", 6)).as("filtered out: as if the source had no such row").isNull();
    }

    @Test
    void theDryRunShowsTransformedRowsAndBadTransformsAre400s() {
        pg.execute("CREATE TABLE trial (id BIGINT PRIMARY KEY, first TEXT, last TEXT, age INT, email TEXT, secret TEXT, divisor INT)",
                "INSERT INTO trial VALUES (1, 'Ada', 'Lovelace', 36, 'ada@example.org', 's1', 2)");
        assertThat(rest.post(REGIONS, "{\"name\": \"trial\", \"fields\": {\"id\": \"BIGINT\"}}").status()).isEqualTo(201);
        String spec = pgSource("trial_db", "trial", "trial", "LOAD", PEOPLE_TRANSFORMS);
        JsonNode fromSource = rest.post(SOURCES + "/validate", spec).json();
        assertThat(fromSource.path("valid").asBoolean()).as(fromSource.toString()).isTrue();
        assertThat(fromSource.path("bindings").path("trial").path("rows").get(0).path("row").path("full_name").asText()).isEqualTo("Ada Lovelace");

        String withSample = spec.substring(0, spec.lastIndexOf('}')) + ", \"sample_rows\": [{\"id\": 7, \"first\": \"A\", \"last\": \"B\", \"age\": 30,"
                + " \"email\": \"e\", \"secret\": \"s\", \"divisor\": 3}, {\"id\": 8, \"first\": \"C\", \"last\": \"D\", \"age\": 3, \"divisor\": 1},"
                + " {\"id\": 9, \"first\": \"E\", \"last\": \"F\", \"age\": 50, \"divisor\": 0}]}";
        JsonNode sampled = rest.post(SOURCES + "/validate", withSample).json();
        JsonNode rows = sampled.path("bindings").path("trial").path("rows");
        assertThat(rows.get(0).path("row").path("per_unit").asLong()).as(sampled.toString()).isEqualTo(10);
        assertThat(rows.get(1).path("filtered").asBoolean()).isTrue();
        assertThat(rows.get(2).path("step").asInt()).isEqualTo(1);
        assertThat(rows.get(2).path("error").asText()).isNotBlank();
        assertThat(rest.get(SOURCES + "/trial_db").status()).as("nothing stored").isEqualTo(404);

        for (String bad : List.of("[{\"compute\": {\"x\": \"first +\"}}]", "[{\"compute\": {\"x\": \"no_such_column + 1\"}}]",
                "[{\"filter\": \"age + 1\"}]", "[{\"compute\": {\"x\": \"T(java.lang.Runtime).getRuntime().exec('id')\"}}]",
                "[{\"rename\": {\"missing\": \"x\"}}]", "[{\"drop\": [\"id\"]}]", "[{\"explode\": \"x\"}]")) {
            Rest.Response r = rest.post(SOURCES, pgSource("bad_trial", "trial", "trial", "LOAD", bad));
            assertThat(r.status()).as(bad + " → " + r).isEqualTo(400);
            assertThat(r.json().toString()).as(bad + " → " + r).contains("bindings.trial.transforms");
        }
        assertThat(rest.get(SOURCES + "/bad_trial").status()).isEqualTo(404);
    }
}
