package io.dih.connector.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dih.api.BindingSpec;
import io.dih.spi.Connector;
import io.dih.spi.ConnectorContext;
import io.dih.spi.InvalidSpecException;
import io.dih.spi.SourceRejectedException;
import io.dih.spi.UnavailableException;
import io.dih.testing.FreePorts;
import io.dih.testing.TestingCassandraServer;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What a user gets wrong, against a real node: each a clear error naming the field, host and port, or the table. */
class CassandraBadInputIT {
    private static final String SECRET = "s3cret-never-shown";
    private static TestingCassandraServer server;

    @BeforeAll
    static void startServer() {
        server = CassandraConnectorIT.server();
        server.execute("DROP TABLE IF EXISTS contract.bad_input");
        server.execute("CREATE TABLE contract.bad_input (id bigint PRIMARY KEY, name text, amount decimal)");
        server.execute("INSERT INTO contract.bad_input (id, name, amount) VALUES (1, 'one', 1.5)");
    }

    private static Map<String, Object> params(Map<String, Object> changes) {
        Map<String, Object> p = new LinkedHashMap<>(CassandraConnectorIT.params(server));
        p.putAll(changes);
        p.values().removeIf(v -> v == null);
        return p;
    }

    private static Connector connect(Map<String, Object> params) {
        return new CassandraConnectorFactory().create("bad", params, ConnectorContext.of(Map.of("CASS_PASSWORD", TestingCassandraServer.PASSWORD)));
    }

    @Test
    void wrongPasswordNamesTheFieldAndTheNodeButNotThePassword() {
        assertThatThrownBy(() -> connect(params(Map.of("password", SECRET))))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> {
                    assertThat(e.field()).isEqualTo("connection_params.password");
                    assertThat(e.getMessage()).contains("'cassandra'", server.host() + ":" + server.port()).doesNotContain(SECRET);
                });
    }

    @Test
    void noCredentialsWhereTheClusterWantsThemNamesUsername() {
        Map<String, Object> changes = new HashMap<>();
        changes.put("username", null);
        changes.put("password", null);
        assertThatThrownBy(() -> connect(params(changes)))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("connection_params.username"));
    }

    @Test
    void aPasswordMayBeAnEnvironmentReference() {
        try (Connector c = connect(params(Map.of("password", "${CASS_PASSWORD}")))) {
            assertThat(c.read(BindingSpec.defaultFor("bad_input"), Map.of("id", 1L))).isPresent();
        }
        assertThatThrownBy(() -> connect(params(Map.of("password", "${NO_SUCH_VARIABLE}"))))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("connection_params.password"));
    }

    @Test
    void anUnreachableNodeIsUnavailableNamingHostAndPort() {
        int closed = FreePorts.next();
        assertThatThrownBy(() -> connect(params(Map.of("port", closed, "password", SECRET))))
                .isInstanceOfSatisfying(UnavailableException.class,
                        e -> assertThat(e.getMessage()).contains("127.0.0.1:" + closed).doesNotContain(SECRET));
    }

    @Test
    void aWrongDatacenterNamesTheFieldAndTheRealOnes() {
        assertThatThrownBy(() -> connect(params(Map.of("local_datacenter", "dc-nowhere"))))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> {
                    assertThat(e.field()).isEqualTo("connection_params.local_datacenter");
                    assertThat(e.getMessage()).contains("dc-nowhere", "datacenter1");
                });
    }

    @Test
    void aMissingKeyspaceIsNamed() {
        assertThatThrownBy(() -> connect(params(Map.of("keyspace", "no_such_keyspace"))))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> {
                    assertThat(e.field()).isEqualTo("connection_params.keyspace");
                    assertThat(e.getMessage()).contains("no_such_keyspace");
                });
        try (Connector c = connect(params(Map.of()))) {
            assertThatThrownBy(() -> c.describe(BindingSpec.defaultFor("nokeyspace.bad_input")))
                    .isInstanceOfSatisfying(InvalidSpecException.class, e -> {
                        assertThat(e.field()).isEqualTo("table");
                        assertThat(e.getMessage()).contains("keyspace 'nokeyspace'");
                    });
        }
    }

    @Test
    void aMissingTableIsNamedWithItsKeyspace() {
        try (Connector c = connect(params(Map.of()))) {
            assertThatThrownBy(() -> c.describe(BindingSpec.defaultFor("no_such_table")))
                    .isInstanceOfSatisfying(InvalidSpecException.class, e -> {
                        assertThat(e.field()).isEqualTo("table");
                        assertThat(e.getMessage()).contains("contract.no_such_table");
                    });
        }
    }

    @Test
    void bindingKeysAreChecked() {
        try (Connector c = connect(params(Map.of()))) {
            BindingSpec unknown = new BindingSpec("bad_input", null, null, null, null, null, Map.of("topic", "x"));
            assertThatThrownBy(() -> c.describe(unknown)).isInstanceOfSatisfying(InvalidSpecException.class,
                    e -> assertThat(e.field()).isEqualTo("topic"));
            BindingSpec notTheKey = new BindingSpec("bad_input", null, List.of("name"), null, null, null);
            assertThatThrownBy(() -> c.describe(notTheKey)).isInstanceOfSatisfying(InvalidSpecException.class,
                    e -> assertThat(e.field()).isEqualTo("key_columns"));
            BindingSpec badMapping = new BindingSpec("bad_input", null, null, Map.of("label", "no_column"), null, null);
            assertThatThrownBy(() -> c.describe(badMapping)).isInstanceOfSatisfying(InvalidSpecException.class,
                    e -> assertThat(e.field()).isEqualTo("mapping.label"));
            BindingSpec query = new BindingSpec(null, "SELECT * FROM contract.bad_input", List.of("id"), null, null, null);
            assertThatThrownBy(() -> c.describe(query)).isInstanceOfSatisfying(InvalidSpecException.class,
                    e -> assertThat(e.field()).isEqualTo("query"));
            BindingSpec ownKeyspace = new BindingSpec("bad_input", null, null, null, null, null, Map.of("keyspace", "contract"));
            assertThat(c.describe(ownKeyspace).name()).isEqualTo("contract.bad_input");
        }
    }

    @Test
    void aWriteTheServerRefusesIsRejectedAndTheConnectorGoesOn() {
        server.execute("DROP TABLE IF EXISTS contract.refused");
        server.execute("CREATE TABLE contract.refused (id bigint PRIMARY KEY, name text, note text)");
        try (Connector c = connect(params(Map.of()))) {
            BindingSpec b = BindingSpec.defaultFor("refused");
            c.describe(b);
            server.execute("ALTER TABLE contract.refused DROP note"); // the source changed under the hub
            Map<String, Object> row = new LinkedHashMap<>(Map.of("id", 1L, "name", "one", "note", "gone"));
            assertThatThrownBy(() -> c.write(b, List.of(row), List.of()))
                    .isInstanceOfSatisfying(SourceRejectedException.class, e -> assertThat(e.getMessage()).contains("note", "contract.refused"));
            assertThat(server.execute("SELECT * FROM contract.refused WHERE id = 1").one()).isNull();

            c.write(b, List.of(new LinkedHashMap<>(Map.of("id", 2L, "name", "two"))), List.of());
            assertThat(server.execute("SELECT name FROM contract.refused WHERE id = 2").one().getString(0)).isEqualTo("two");
        }
    }

    @Test
    void aValueTheColumnCannotTakeIsRefusedWithNothingWritten() {
        try (Connector c = connect(params(Map.of()))) {
            BindingSpec b = BindingSpec.defaultFor("bad_input");
            Map<String, Object> fine = new LinkedHashMap<>(Map.of("id", 10L, "name", "fine", "amount", BigDecimal.TEN));
            Map<String, Object> bad = new LinkedHashMap<>(Map.of("id", 11L, "name", "bad", "amount", "ten"));
            Map<String, Object> noKey = new LinkedHashMap<>(Map.of("name", "no key"));
            assertThatThrownBy(() -> c.write(b, List.of(fine, bad), List.of()))
                    .isInstanceOfSatisfying(SourceRejectedException.class, e -> assertThat(e.getMessage()).contains("amount", "'ten'", "id=11"));
            assertThatThrownBy(() -> c.write(b, List.of(fine, noKey), List.of()))
                    .isInstanceOfSatisfying(SourceRejectedException.class, e -> assertThat(e.getMessage()).contains("primary key column id"));
            assertThat(server.execute("SELECT * FROM contract.bad_input WHERE id = 10").one()).isNull();
        }
    }
}
