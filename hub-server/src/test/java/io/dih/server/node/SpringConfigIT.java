package io.dih.server.node;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dih.server.testing.Rest;
import io.dih.testing.FreePorts;
import io.dih.testing.HubCredentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.assertj.core.api.Assertions.assertThat;

/** An operator's own Spring XML Ignite configuration replaces the hub's node settings; the hub runs on top of it. */
class SpringConfigIT {
    @TempDir
    Path dir;

    @Test
    void nodeStartsFromSpringXml() throws Exception {
        int disco = FreePorts.next();
        int thin = FreePorts.next();
        Path xml = Files.writeString(dir.resolve("ignite.xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <beans xmlns="http://www.springframework.org/schema/beans"
                       xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                       xsi:schemaLocation="http://www.springframework.org/schema/beans
                                           http://www.springframework.org/schema/beans/spring-beans.xsd">
                  <bean class="org.apache.ignite.configuration.IgniteConfiguration">
                    <property name="igniteInstanceName" value="spring-node"/>
                    <property name="workDirectory" value="%s"/>
                    <property name="discoverySpi">
                      <bean class="org.apache.ignite.spi.discovery.tcp.TcpDiscoverySpi">
                        <property name="localAddress" value="127.0.0.1"/>
                        <property name="localPort" value="%d"/>
                        <property name="localPortRange" value="0"/>
                        <property name="ipFinder">
                          <bean class="org.apache.ignite.spi.discovery.tcp.ipfinder.vm.TcpDiscoveryVmIpFinder">
                            <property name="addresses"><list><value>127.0.0.1:%d</value></list></property>
                          </bean>
                        </property>
                      </bean>
                    </property>
                    <property name="communicationSpi">
                      <bean class="org.apache.ignite.spi.communication.tcp.TcpCommunicationSpi">
                        <property name="localAddress" value="127.0.0.1"/>
                        <property name="localPort" value="%d"/>
                        <property name="localPortRange" value="0"/>
                      </bean>
                    </property>
                    <property name="clientConnectorConfiguration">
                      <bean class="org.apache.ignite.configuration.ClientConnectorConfiguration">
                        <property name="host" value="127.0.0.1"/>
                        <property name="port" value="%d"/>
                        <property name="portRange" value="0"/>
                      </bean>
                    </property>
                  </bean>
                </beans>
                """.formatted(dir.resolve("work"), disco, disco, FreePorts.next(), thin));
        ObjectNode tree = JsonNodeFactory.instance.objectNode().put("ignite_config", xml.toString());
        tree.putObject("gateway").put("host", "127.0.0.1").put("port", 0);
        tree.putObject("security").put("admin_key", HubCredentials.ADMIN_KEY);
        try (HubNode node = HubNode.start(new HubConfigLoader(Map.of()).load(tree))) {
            assertThat(node.ignite().name()).isEqualTo("spring-node");
            assertThat(node.thinClientPort()).isEqualTo(thin);
            Rest rest = new Rest(node.baseUrl());
            assertThat(rest.post("/api/v1/dih/cache-regions", "{\"name\": \"from_xml\"}").status()).isEqualTo(201);
            assertThat(rest.put("/api/v1/dih/cache-regions/from_xml/entries/a", "{}").status()).isEqualTo(201);
            assertThat(rest.get("/api/v1/dih/health").json().path("status").asText()).isEqualTo("ready");
        }
    }
}
