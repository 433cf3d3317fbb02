package io.dih.connector.pulsar;

import io.dih.spi.Capability;
import io.dih.spi.Connector;
import io.dih.spi.ConnectorContext;
import io.dih.spi.ConnectorFactory;
import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import io.dih.spi.UnavailableException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pulsar.client.api.AuthenticationFactory;
import org.apache.pulsar.client.api.ClientBuilder;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.PulsarClientException;

/**
 * {@code "source_type": "pulsar"}: topics of an Apache Pulsar cluster as a message stream ({@link Capability#STREAM}).
 * See {@link PulsarConnectorConfig} for the connection parameters and {@link PulsarBinding} for a binding's keys.
 */
public final class PulsarConnectorFactory implements ConnectorFactory {
    private static final int CHECK_TIMEOUT_MILLIS = 10_000;

    @Override
    public String type() {
        return "pulsar";
    }

    /** Seed 004 names the type {@code PULSAR_STREAM} (any letter case). */
    @Override
    public Set<String> aliases() {
        return Set.of("pulsar_stream");
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.STREAM);
    }

    @Override
    public Set<String> secretKeys() {
        return PulsarConnectorConfig.SECRETS;
    }

    @Override
    public List<FieldError> validate(Map<String, Object> connectionParams) {
        List<FieldError> errors = new ArrayList<>();
        PulsarConnectorConfig.parse(connectionParams, errors);
        return errors;
    }

    /**
     * Builds the client and checks the broker answers: a TCP connection to one of the service URL's hosts, and with
     * {@code admin_url} a call to its web service (which also checks credentials there).
     *
     * @throws UnavailableException naming host and port when the broker cannot be reached
     */
    @Override
    public Connector create(String sourceName, Map<String, Object> connectionParams, ConnectorContext context) {
        PulsarConnectorConfig c = PulsarConnectorConfig.parseOrThrow(connectionParams);
        String authParams = resolve(context, "auth_params", c.authParams());
        String token = resolve(context, "token", c.token());
        String password = resolve(context, "password", c.password());
        String tlsKeyPassword = resolve(context, "tls_key_password", c.tlsKeyPassword());

        String unreachable = ServiceAddresses.firstReachable(ServiceAddresses.parse(c.serviceUrl()), CHECK_TIMEOUT_MILLIS);
        if (unreachable != null) {
            throw new UnavailableException("connection_params.service_url",
                    "cannot reach the Pulsar broker of source " + sourceName + " (" + unreachable + ")", null);
        }
        PulsarAdminClient admin = c.adminUrl() == null ? null : new PulsarAdminClient(c.adminUrl(), token, c.user(), password);
        if (admin != null) {
            admin.check();
        }
        return new PulsarConnector(sourceName, c, client(c, authParams, token, password, tlsKeyPassword), admin, capabilities());
    }

    private static PulsarClient client(PulsarConnectorConfig c, String authParams, String token, String password, String tlsKeyPassword) {
        Map<String, Object> conf = new HashMap<>(c.clientProperties());
        conf.put("serviceUrl", c.serviceUrl());
        if (tlsKeyPassword != null) {
            conf.put("tlsKeyStorePassword", tlsKeyPassword);
        }
        try {
            ClientBuilder builder = PulsarClient.builder().loadConf(conf);
            if (token != null) {
                builder.authentication(AuthenticationFactory.token(token));
            } else if (c.user() != null) {
                builder.authentication("org.apache.pulsar.client.impl.auth.AuthenticationBasic",
                        Map.of("userId", c.user(), "password", password));
            } else if (c.authPluginClassName() != null) {
                builder.authentication(c.authPluginClassName(), authParams == null ? "" : authParams);
            }
            return builder.build();
        } catch (PulsarClientException.UnsupportedAuthenticationException e) {
            throw new InvalidSpecException("connection_params.auth_plugin_class_name", "cannot load authentication "
                    + c.authPluginClassName() + " (or its auth_params do not fit it)");
        } catch (PulsarClientException | RuntimeException e) {
            throw new InvalidSpecException("connection_params.service_url", "the Pulsar client refuses these parameters: "
                    + e.getClass().getSimpleName());
        }
    }

    private static String resolve(ConnectorContext context, String key, String value) {
        return value == null ? null : context.resolve("connection_params." + key, value);
    }
}
