package io.dih.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dih.api.RegionSpec;
import io.dih.client.HubClient;
import io.dih.server.testing.TestingHubCluster;
import io.dih.testing.HubCredentials;
import io.dih.testing.TestingCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
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

    /**
     * {@code tls.client_auth: required}: REST and the thin client want a certificate the CA signed besides the key. The
     * probes stay open (Kubernetes shows no certificate); a certificate of another CA is refused in the handshake.
     */
    @Test
    void clientCertificatesAreRequiredWhereClientAuthIsRequired() throws Exception {
        TestingCertificates certs = TestingCertificates.create(work.resolve("certs"));
        Path app = certs.client("app", true);
        Path stranger = certs.client("stranger", false);
        try (TestingHubCluster cluster = TestingHubCluster.start(1, tree -> tree.putObject("tls").put("enabled", true)
                .put("keystore", certs.keystore().toString()).put("keystore_password", TestingCertificates.PASSWORD)
                .put("truststore", certs.truststore().toString()).put("truststore_password", TestingCertificates.PASSWORD)
                .put("client_auth", "required"))) {
            String base = cluster.node(0).baseUrl();
            HttpClient noCertificate = HttpClient.newBuilder().sslContext(trusting(certs.truststore())).connectTimeout(Duration.ofSeconds(5)).build();
            assertThat(send(noCertificate, base + "/api/v1/dih/health/ready", null).statusCode()).as("a probe needs no certificate").isEqualTo(200);
            HttpResponse<String> refused = send(noCertificate, base + "/api/v1/dih/cache-regions", HubCredentials.ADMIN_KEY);
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(401);
            assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
            assertThat(JSON.readTree(refused.body()).path("detail").asText()).contains("client certificate");

            HttpClient withCertificate = HttpClient.newBuilder().sslContext(trusting(certs.truststore(), app)).connectTimeout(Duration.ofSeconds(5))
                    .build();
            assertThat(send(withCertificate, base + "/api/v1/dih/cache-regions", HubCredentials.ADMIN_KEY).statusCode()).isEqualTo(200);
            assertThat(send(withCertificate, base + "/api/v1/dih/cache-regions", null).statusCode()).as("a certificate is not a credential")
                    .isEqualTo(401);
            // a JDK client offers only certificates of the CAs the server names, so the stranger's goes unsent: a 401
            HttpClient strangers = HttpClient.newBuilder().sslContext(trusting(certs.truststore(), stranger)).connectTimeout(Duration.ofSeconds(5))
                    .build();
            assertThat(send(strangers, base + "/api/v1/dih/cache-regions", HubCredentials.ADMIN_KEY).statusCode()).isEqualTo(401);
            // a client that shows it anyway fails the handshake
            HttpClient insisting = HttpClient.newBuilder().sslContext(insisting(certs.truststore(), stranger, "stranger"))
                    .connectTimeout(Duration.ofSeconds(5)).build();
            assertThatThrownBy(() -> send(insisting, base + "/api/v1/dih/cache-regions", HubCredentials.ADMIN_KEY))
                    .as("a certificate the CA did not sign").isInstanceOf(IOException.class);
            HttpResponse<String> audit = send(withCertificate, base + "/api/v1/dih/audit?outcome=denied", HubCredentials.ADMIN_KEY);
            assertThat(audit.body()).as("the refusal is audited").contains("no client certificate");

            int port = cluster.node(0).thinClientPort();
            Properties props = new Properties();
            props.setProperty("user", "operator");
            props.setProperty("password", HubCredentials.ADMIN_KEY);
            String trustOnly = "jdbc:ignite:thin://127.0.0.1:" + port + "?sslMode=require&sslTrustCertificateKeyStoreUrl=" + certs.truststore()
                    + "&sslTrustCertificateKeyStorePassword=" + TestingCertificates.PASSWORD + "&sslTrustCertificateKeyStoreType=PKCS12";
            assertThatThrownBy(() -> DriverManager.getConnection(trustOnly, props).close()).as("JDBC without a client certificate")
                    .isInstanceOf(Exception.class);
            String withClientCertificate = trustOnly + "&sslClientCertificateKeyStoreUrl=" + app + "&sslClientCertificateKeyStorePassword="
                    + TestingCertificates.PASSWORD + "&sslClientCertificateKeyStoreType=PKCS12";
            try (Connection c = DriverManager.getConnection(withClientCertificate, props);
                 ResultSet rs = c.createStatement().executeQuery("SELECT 1")) {
                assertThat(rs.next()).isTrue();
            }

            try (HubClient sdk = HubClient.builder().rest(base).apiKey(HubCredentials.ADMIN_KEY).thinClient("127.0.0.1:" + port)
                    .tls(trusting(certs.truststore(), app)).build()) {
                sdk.createRegion(RegionSpec.named("tls_orders"));
                assertThat(sdk.region("tls_orders")).as("REST with the SDK's TLS context").isPresent();
                assertThat(sdk.sql("SELECT COUNT(*) FROM tls_orders")).as("the thin client with the SDK's TLS context").containsExactly(List.of(0L));
            }
        }
    }

    private static HttpResponse<String> send(HttpClient client, String url, String key) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static SSLContext trusting(Path truststore) throws Exception {
        return trusting(truststore, null);
    }

    /** A context trusting the CA, showing the certificate in {@code clientStore} when there is one. */
    private static SSLContext trusting(Path truststore, Path clientStore) throws Exception {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(load(truststore));
        KeyManagerFactory kmf = null;
        if (clientStore != null) {
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(load(clientStore), TestingCertificates.PASSWORD.toCharArray());
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    /** A context that shows the certificate {@code alias} of {@code clientStore} whatever CAs the server asks for. */
    private static SSLContext insisting(Path truststore, Path clientStore, String alias) throws Exception {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(load(truststore));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(load(clientStore), TestingCertificates.PASSWORD.toCharArray());
        X509ExtendedKeyManager keys = (X509ExtendedKeyManager) kmf.getKeyManagers()[0];
        X509ExtendedKeyManager always = new X509ExtendedKeyManager() {
            @Override
            public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
                return alias;
            }

            @Override
            public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
                return alias;
            }

            @Override
            public String[] getClientAliases(String keyType, Principal[] issuers) {
                return new String[] {alias};
            }

            @Override
            public String[] getServerAliases(String keyType, Principal[] issuers) {
                return keys.getServerAliases(keyType, issuers);
            }

            @Override
            public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
                return keys.chooseServerAlias(keyType, issuers, socket);
            }

            @Override
            public X509Certificate[] getCertificateChain(String a) {
                return keys.getCertificateChain(a);
            }

            @Override
            public PrivateKey getPrivateKey(String a) {
                return keys.getPrivateKey(a);
            }
        };
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(new KeyManager[] {always}, tmf.getTrustManagers(), null);
        return ctx;
    }

    private static KeyStore load(Path store) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, TestingCertificates.PASSWORD.toCharArray());
        }
        return ks;
    }
}
