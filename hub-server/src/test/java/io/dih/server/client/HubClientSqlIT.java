package io.dih.server.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dih.api.RegionSpec;
import io.dih.api.SqlType;
import io.dih.client.HubClient;
import io.dih.client.HubClientException;
import io.dih.client.SqlRows;
import io.dih.server.node.HubNode;
import io.dih.server.testing.TestingHubCluster;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The SDK's SQL over REST against a real node: lazy paging, early close, DML, exact decimals, errors. */
class HubClientSqlIT {
    static final int ROWS = 2500;
    static TestingHubCluster cluster;
    static HubNode node;
    static HubClient hub;

    @BeforeAll
    static void start() {
        cluster = TestingHubCluster.start(1);
        node = cluster.node(0);
        hub = HubClient.builder().rest(node.baseUrl()).apiKey(io.dih.testing.HubCredentials.ADMIN_KEY).build();
        Map<String, SqlType> fields = new LinkedHashMap<>();
        fields.put("id", SqlType.BIGINT);
        fields.put("owner", SqlType.VARCHAR);
        fields.put("balance", SqlType.DECIMAL);
        fields.put("opened", SqlType.DATE);
        hub.createRegion(new RegionSpec("sdk_accounts", null, null, null, null, null, null, null, List.of("id"), fields));
        for (int batch = 0; batch < ROWS / 500; batch++) {
            Map<String, Map<String, Object>> rows = new LinkedHashMap<>();
            for (int i = 1; i <= 500; i++) {
                int id = batch * 500 + i;
                rows.put(String.valueOf(id), Map.of("owner", "o" + id % 10, "balance", id, "opened", "2024-01-01"));
            }
            hub.putAll("sdk_accounts", rows);
        }
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void iteratesEveryRowPageByPage() {
        Set<Long> ids = new HashSet<>();
        int n = 0;
        try (SqlRows rows = hub.sqlQuery("SELECT id, owner FROM sdk_accounts WHERE id > ?", List.of(0), 300, null)) {
            assertThat(rows.columns()).containsExactly(Map.of("name", "ID", "type", "BIGINT"), Map.of("name", "OWNER", "type", "VARCHAR"));
            assertThat(rows.updated()).isEqualTo(-1);
            for (List<Object> row : rows) {
                n++;
                ids.add(((Number) row.get(0)).longValue());
                assertThat(row.get(1)).isEqualTo("o" + ((Number) row.get(0)).longValue() % 10);
            }
            assertThatThrownBy(rows::iterator).isInstanceOf(IllegalStateException.class);
        }
        assertThat(n).isEqualTo(ROWS);
        assertThat(ids).hasSize(ROWS).allMatch(id -> id >= 1 && id <= ROWS);
        assertThat(node.sql().cursors().open()).isZero();
    }

    @Test
    void stoppingEarlyClosesTheCursor() {
        try (SqlRows rows = hub.sqlQuery("SELECT id FROM sdk_accounts ORDER BY id", List.of(), 100, null)) {
            Iterator<List<Object>> it = rows.iterator();
            for (int i = 1; i <= 150; i++) {
                assertThat(((Number) it.next().get(0)).longValue()).isEqualTo(i);
            }
            assertThat(node.sql().cursors().open()).isEqualTo(1);
        }
        assertThat(node.sql().cursors().open()).isZero();

        try (Stream<List<Object>> s = hub.sqlQuery("SELECT id FROM sdk_accounts ORDER BY id").stream()) {
            assertThat(s.limit(3).map(r -> ((Number) r.get(0)).longValue()).collect(Collectors.toList())).containsExactly(1L, 2L, 3L);
        }
        assertThat(node.sql().cursors().open()).isZero();
    }

    @Test
    void dmlParamsAndExactDecimals() {
        try (SqlRows upd = hub.sqlQuery("UPDATE sdk_accounts SET balance = ? WHERE id = ?", new BigDecimal("98765432109876543210.50"), 7)) {
            assertThat(upd.updated()).isEqualTo(1);
            assertThat(upd.toList()).isEmpty();
        }
        List<List<Object>> rows = hub.sqlQuery("SELECT balance, opened FROM sdk_accounts WHERE id = ? AND opened = ?", 7, LocalDate.of(2024, 1, 1)).toList();
        assertThat(rows).containsExactly(List.of(new BigDecimal("98765432109876543210.50"), "2024-01-01"));
        assertThat(hub.sqlQuery("SELECT COUNT(*) FROM sdk_accounts WHERE owner = ?", "o1' OR '1'='1").toList()).containsExactly(List.of(0));
    }

    @Test
    void errorsAreClientExceptions() {
        assertThatThrownBy(() -> hub.sqlQuery("SELECT id FROM sdk_accounts WHERE id = = 1"))
                .isInstanceOfSatisfying(HubClientException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.field()).isEqualTo("query");
                    assertThat(e.getMessage()).contains("position");
                });
        assertThatThrownBy(() -> hub.sqlQuery("DROP TABLE sdk_accounts"))
                .isInstanceOfSatisfying(HubClientException.class, e -> assertThat(e.status()).isEqualTo(400));
        assertThat(hub.sqlQuery("SELECT COUNT(*) FROM sdk_accounts").toList().get(0).get(0)).isEqualTo(ROWS);
    }
}
