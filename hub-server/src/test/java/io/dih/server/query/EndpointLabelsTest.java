package io.dih.server.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class EndpointLabelsTest {
    @Test
    void uniqueLabelsStayAsUsersWroteThem() {
        assertThat(EndpointRunner.labels(List.of("ID", "NAME", "totalDue"), Arrays.asList("ORDERS", "ORDERS", null)))
                .containsExactly("id", "name", "totalDue");
    }

    @Test
    void aLabelTwoColumnsShareIsQualifiedByTable() {
        assertThat(EndpointRunner.labels(List.of("ID", "ID", "STATUS"), List.of("ORDERS", "CUSTOMERS", "ORDERS")))
                .containsExactly("orders.id", "customers.id", "status");
    }

    @Test
    void whatIsStillSharedIsNumbered() {
        // a self-join, and two equal expressions
        assertThat(EndpointRunner.labels(List.of("ID", "ID", "X", "X", "X_2"), Arrays.asList("ORDERS", "ORDERS", null, null, null)))
                .containsExactly("orders.id", "orders.id_2", "x", "x_2", "x_2_2");
    }
}
