package io.dih.server.security;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dih.spi.ConnectorContext;
import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code tls} section of the node configuration: one key store (this node's certificate and key) and one trust
 * store (the CA that signed the cluster's and clients' certificates), used by the REST gateway (HTTPS), the thin-client
 * port and node-to-node traffic (discovery and communication), each of which can be left plain. Files, so a
 * Kubernetes Secret mounted as a volume works; passwords may be {@code ${ENV}} references. {@code client_auth:
 * required} makes REST and thin clients show a certificate the trust store's CA signed, on top of their key or token.
 */
public record TlsSettings(@JsonProperty("enabled") boolean enabled,
                          @JsonProperty("keystore") String keystore,
                          @JsonProperty("keystore_password") String keystorePassword,
                          @JsonProperty("keystore_type") String keystoreType,
                          @JsonProperty("truststore") String truststore,
                          @JsonProperty("truststore_password") String truststorePassword,
                          @JsonProperty("rest") Boolean rest,
                          @JsonProperty("thin_client") Boolean thinClient,
                          @JsonProperty("cluster") Boolean cluster,
                          @JsonProperty("client_auth") String clientAuth) {
    public static final TlsSettings OFF = new TlsSettings(false, null, null, null, null, null, null, null, null, null);
    /** {@code client_auth}: clients show no certificate (TLS authenticates the server only). */
    public static final String NONE = "none";
    /** {@code client_auth}: REST and thin clients must show a certificate signed by the trust store's CA. */
    public static final String REQUIRED = "required";

    public TlsSettings {
        keystoreType = keystoreType == null || keystoreType.isBlank() ? "PKCS12" : keystoreType;
        rest = rest == null || rest;
        thinClient = thinClient == null || thinClient;
        cluster = cluster == null || cluster;
        clientAuth = clientAuth == null || clientAuth.isBlank() ? NONE : clientAuth.trim().toLowerCase(Locale.ROOT);
        List<FieldError> errors = new ArrayList<>();
        if (!NONE.equals(clientAuth) && !REQUIRED.equals(clientAuth)) {
            errors.add(new FieldError("tls.client_auth", "must be none or required, was '" + clientAuth + "'"));
        } else if (REQUIRED.equals(clientAuth) && !enabled) {
            errors.add(new FieldError("tls.client_auth", "required needs tls.enabled: true (client certificates are checked by TLS)"));
        }
        if (enabled) {
            file(errors, "tls.keystore", keystore);
            file(errors, "tls.truststore", truststore);
            if (keystorePassword == null) {
                errors.add(new FieldError("tls.keystore_password", "must be set (an ${ENV_VAR} reference keeps it out of the file)"));
            }
            if (truststorePassword == null) {
                errors.add(new FieldError("tls.truststore_password", "must be set"));
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors);
        }
    }

    private static void file(List<FieldError> errors, String field, String path) {
        if (path == null || path.isBlank()) {
            errors.add(new FieldError(field, "must name a file when tls.enabled is true"));
        } else if (!Files.isReadable(Path.of(path))) {
            errors.add(new FieldError(field, "cannot read '" + path + "'"));
        }
    }

    public boolean restOn() {
        return enabled && rest;
    }

    public boolean thinClientOn() {
        return enabled && thinClient;
    }

    public boolean clusterOn() {
        return enabled && cluster;
    }

    /** Whether REST (with {@code tls.rest}) and thin clients (with {@code tls.thin_client}) must show a certificate. */
    public boolean clientCertificates() {
        return enabled && REQUIRED.equals(clientAuth);
    }

    /** The key store password, an {@code ${ENV}} reference resolved. */
    public char[] keystorePassword(Map<String, String> env) {
        return ConnectorContext.of(env).resolve("tls.keystore_password", keystorePassword).toCharArray();
    }

    public char[] truststorePassword(Map<String, String> env) {
        return ConnectorContext.of(env).resolve("tls.truststore_password", truststorePassword).toCharArray();
    }
}
