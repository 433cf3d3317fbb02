package io.dih.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dih.server.testing.TestingHubCluster;
import io.dih.testing.HubCredentials;
import io.dih.testing.TestingCertificates;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Properties;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.ignite.Ignition;
import org.apache.ignite.client.IgniteClient;
import org.apache.ignite.client.SslMode;
import org.apache.ignite.configuration.ClientConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS everywhere with a test CA: two nodes form a cluster over TLS (discovery and communication), the gateway speaks
 * HTTPS only, and the thin client and JDBC connect over TLS only.
 */
class TlsIT {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;

    @Test
    void restThinClientAndNodeToNodeTrafficUseTls() throws Exception {
        TestingCertificates certs = TestingCertificates.create(work.resolve("certs"));
        try (TestingHubCluster cluster = TestingHubCluster.start(2, tree -> tree.putObject("tls").put("enabled", true)
                .put("keystore", certs.keystore().toString()).put("keystore_password", TestingCertificates.PASSWORD)
                .put("truststore", certs.truststore().toString()).put("truststore_password", TestingCertificates.PASSWORD))) {
            String base = cluster.node(1).baseUrl();
            assertThat(base).startsWith("https://");
            HttpClient trusting = HttpClient.newBuilder().sslContext(trusting(certs.truststore())).connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> health = trusting.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/dih/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(health.body()).path("cluster_size").asInt()).as("the nodes joined each other over TLS").isEqualTo(2);
            HttpResponse<String> regions = trusting.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/dih/cache-regions"))
                    .header("Authorization", "Bearer " + HubCredentials.ADMIN_KEY).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(regions.statusCode()).isEqualTo(200);

            HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            assertThatThrownBy(() -> plain.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/dih/health")).build(),
                    HttpResponse.BodyHandlers.ofString())).as("a client that does not trust the CA").isInstanceOf(Exception.class);
            String http = base.replace("https://", "http://");
            int plainStatus;
            try {
                plainStatus = plain.send(HttpRequest.newBuilder(URI.create(http + "/api/v1/dih/health")).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode();
            } catch (Exception e) {
                plainStatus = -1;
            }
            assertThat(plainStatus).as("plain HTTP on the HTTPS port").isNotEqualTo(200);

            int port = cluster.node(0).thinClientPort();
            Properties props = new Properties();
            props.setProperty("user", "operator");
            props.setProperty("password", HubCredentials.ADMIN_KEY);
            // the driver takes its TLS settings from the URL (unprefixed names)
            String tlsUrl = "jdbc:ignite:thin://127.0.0.1:" + port + "?sslMode=require&sslTrustCertificateKeyStoreUrl=" + certs.truststore()
                    + "&sslTrustCertificateKeyStorePassword=" + TestingCertificates.PASSWORD + "&sslTrustCertificateKeyStoreType=PKCS12"
                    + "&sslClientCertificateKeyStoreUrl=" + certs.keystore() + "&sslClientCertificateKeyStorePassword=" + TestingCertificates.PASSWORD
                    + "&sslClientCertificateKeyStoreType=PKCS12";
            try (Connection c = DriverManager.getConnection(tlsUrl, props);
                 ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM SYS.NODES")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(2);
            }
            try (IgniteClient thin = Ignition.startClient(new ClientConfiguration().setAddresses("127.0.0.1:" + port).setUserName("operator")
                    .setUserPassword(HubCredentials.ADMIN_KEY).setSslMode(SslMode.REQUIRED)
                    .setSslTrustCertificateKeyStorePath(certs.truststore().toString()).setSslTrustCertificateKeyStorePassword(TestingCertificates.PASSWORD)
                    .setSslTrustCertificateKeyStoreType("PKCS12")
                    .setSslClientCertificateKeyStorePath(certs.keystore().toString()).setSslClientCertificateKeyStorePassword(TestingCertificates.PASSWORD)
                    .setSslClientCertificateKeyStoreType("PKCS12"))) {
                assertThat(thin.cacheNames()).isNotEmpty();
            }
            Properties noTls = new Properties();
            noTls.setProperty("user", "operator");
            noTls.setProperty("password", HubCredentials.ADMIN_KEY);
            assertThatThrownBy(() -> DriverManager.getConnection("jdbc:ignite:thin://127.0.0.1:" + port, noTls).close())
                    .as("JDBC without TLS").isInstanceOf(Exception.class);
        }
    }

    private static SSLContext trusting(Path truststore) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(truststore)) {
            ks.load(in, TestingCertificates.PASSWORD.toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
