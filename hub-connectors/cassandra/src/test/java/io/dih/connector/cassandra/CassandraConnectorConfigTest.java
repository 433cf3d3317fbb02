package io.dih.connector.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CassandraConnectorConfigTest {
    private static final CassandraConnectorConfig.Resolver AS_IS = (field, value) -> value;

    @Test
    void defaultsAndFullMapping() {
        CassandraConnectorConfig c = CassandraConnectorConfig.parseOrThrow(Map.of("contact_points", "a, b:9142", "local_datacenter", "dc1"), AS_IS);
        assertThat(c.contactPoints()).containsExactly("a", "b:9142");
        assertThat(c.where()).isEqualTo("a:9042,b:9142");
        assertThat(c.readConsistency()).isEqualTo(DefaultConsistencyLevel.LOCAL_QUORUM);
        assertThat(c.writeConsistency()).isEqualTo(DefaultConsistencyLevel.LOCAL_QUORUM);
        assertThat(c.keyspace()).isNull();
        assertThat(c.username()).isNull();
        assertThat(c.loadParallelism()).isEqualTo(4);
        assertThat(c.pageSize()).isEqualTo(1000);

        Map<String, Object> p = new LinkedHashMap<>();
        p.put("contact_points", List.of("10.0.0.1", "10.0.0.2"));
        p.put("port", "9043");
        p.put("local_datacenter", "east");
        p.put("keyspace", "shop");
        p.put("username", "hub");
        p.put("password", "${PW}");
        p.put("consistency", Map.of("read", "one", "write", "EACH_QUORUM"));
        p.put("load_parallelism", 8);
        p.put("page_size", 500);
        p.put("connect_timeout_seconds", 2);
        p.put("request_timeout_seconds", 3);
        CassandraConnectorConfig full = CassandraConnectorConfig.parseOrThrow(p, (field, value) -> value.equals("${PW}") ? "resolved" : value);
        assertThat(full).isEqualTo(new CassandraConnectorConfig(List.of("10.0.0.1", "10.0.0.2"), 9043, "east", "shop", "hub", "resolved",
                DefaultConsistencyLevel.ONE, DefaultConsistencyLevel.EACH_QUORUM, 8, 500, 2, 3));
        assertThat(full.toString()).doesNotContain("resolved");
        assertThat(CassandraConnectorConfig.parseOrThrow(Map.of("contact_points", "a", "local_datacenter", "dc1", "consistency", "all"), AS_IS)
                .writeConsistency()).isEqualTo(DefaultConsistencyLevel.ALL);
    }

    @Test
    void everyBadParameterIsNamed() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("contact_points", "host:notaport");
        p.put("consistency", Map.of("read", "ONE", "write", "SOMETIMES", "scan", "ONE"));
        p.put("username", "only-user");
        p.put("keyspace", "1bad");
        p.put("port", 70000);
        p.put("hosts", "x");
        List<FieldError> errors = new CassandraConnectorFactory().validate(p);
        assertThat(errors).extracting(FieldError::field).containsExactlyInAnyOrder("connection_params.contact_points",
                "connection_params.local_datacenter", "connection_params.consistency.write", "connection_params.consistency.scan",
                "connection_params.password", "connection_params.keyspace", "connection_params.port", "connection_params.hosts");
        assertThat(new CassandraConnectorFactory().validate(Map.of())).extracting(FieldError::field)
                .contains("connection_params.contact_points", "connection_params.local_datacenter");
        assertThatThrownBy(() -> CassandraConnectorConfig.parseOrThrow(p, AS_IS)).isInstanceOf(InvalidSpecException.class);
    }

    @Test
    void thePasswordIsASecret() {
        assertThat(new CassandraConnectorFactory().secretKeys()).containsExactly("password");
    }

    @Test
    void tokenRangesCoverTheRingWithoutGapsOrOverlap() {
        List<long[]> ranges = CassandraLoader.ranges(16);
        assertThat(ranges).hasSize(16);
        assertThat(ranges.get(0)[0]).isEqualTo(Long.MIN_VALUE);
        assertThat(ranges.get(15)[1]).isEqualTo(Long.MAX_VALUE);
        for (int i = 1; i < ranges.size(); i++) {
            assertThat(ranges.get(i)[0]).isEqualTo(ranges.get(i - 1)[1]);
            assertThat(ranges.get(i)[1]).isGreaterThan(ranges.get(i)[0]);
        }
        assertThat(CassandraLoader.ranges(1)).singleElement().satisfies(r -> assertThat(r).containsExactly(Long.MIN_VALUE, Long.MAX_VALUE));
    }
}
