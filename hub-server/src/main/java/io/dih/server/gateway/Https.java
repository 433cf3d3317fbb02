package io.dih.server.gateway;

import io.dih.server.security.TlsSettings;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The gateway's HTTPS connector (the node's key store; TLS 1.2 and 1.3 only, Jetty's default cipher suites). With
 * {@code tls.client_auth: required} it asks every client for a certificate and checks it against the trust store; a
 * client that shows none still connects (Kubernetes probes cannot show one), and {@link AccessGuard} refuses it every
 * route but the open ones.
 */
final class Https {
    private Https() {
    }

    static ServerConnector connector(Server server, HttpConfiguration http, TlsSettings tls, String host, int port) {
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStorePath(tls.keystore());
        ssl.setKeyStoreType(tls.keystoreType());
        ssl.setKeyStorePassword(new String(tls.keystorePassword(System.getenv())));
        ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
        if (tls.clientCertificates()) {
            ssl.setTrustStorePath(tls.truststore());
            ssl.setTrustStoreType(tls.keystoreType());
            ssl.setTrustStorePassword(new String(tls.truststorePassword(System.getenv())));
            ssl.setWantClientAuth(true);
        }
        HttpConfiguration https = new HttpConfiguration(http);
        // clients reach nodes by IP as often as by name: the certificate's names are the client's to check, not Jetty's
        https.addCustomizer(new SecureRequestCustomizer(false));
        ServerConnector c = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(https));
        c.setHost(host);
        c.setPort(port);
        return c;
    }
}
