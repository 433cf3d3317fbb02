package io.dih.connector.pulsar;

import static io.dih.spi.ConnectionParams.text;

import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.SubscriptionInitialPosition;
import org.apache.pulsar.client.api.SubscriptionType;
import org.apache.pulsar.client.impl.conf.ClientConfigurationData;

/**
 * The connection parameters of a Pulsar source, checked field by field.
 *
 * @param serviceUrl          {@code pulsar://host:6650} or {@code pulsar+ssl://host:6651} (several hosts: {@code h1:6650,h2:6650})
 * @param adminUrl            the broker's web service, {@code http(s)://host:8080}: topic checks and backlog; may be null
 * @param subscriptionName    the subscription all nodes share; null: the group name the hub passes
 * @param subscriptionType    default {@link SubscriptionType#Key_Shared}: each key stays on one consumer (node), so per-key
 *                            order holds (producers should batch by key, {@code BatcherBuilder.KEY_BASED}, or not batch);
 *                            {@code Shared}: messages go round-robin, no order; {@code Failover}: one active node per
 *                            partition, the others stand by; {@code Exclusive}: one node only, the others' feeds fail
 *                            with "consumer busy"
 * @param initialPosition     where a new subscription starts: {@code Earliest} (default) or {@code Latest}
 * @param authPluginClassName an {@code Authentication} class; its parameters in {@code auth_params} (a secret)
 * @param authParams          secret; may be a {@code ${ENV_VAR}} reference, resolved on the node
 * @param token               secret: a JWT for token authentication (also sent to {@code admin_url} as a bearer token)
 * @param user                with {@code password} (secret): basic authentication, also sent to {@code admin_url}
 * @param tlsKeyPassword      secret: the password of {@code tlsKeyStorePath}
 * @param clientProperties    every other key, as {@code ClientBuilder.loadConf} takes it ({@code operationTimeoutMs}, ...)
 */
record PulsarConnectorConfig(String serviceUrl, String adminUrl, String subscriptionName, SubscriptionType subscriptionType,
                             SubscriptionInitialPosition initialPosition, String authPluginClassName, String authParams,
                             String token, String user, String password, String tlsKeyPassword,
                             Map<String, Object> clientProperties) {

    static final Set<String> KEYS = Set.of("service_url", "admin_url", "subscription_name", "subscription_type",
            "subscription_initial_position", "auth_plugin_class_name", "auth_params", "token", "user", "password",
            "tls_key_password");
    static final Set<String> SECRETS = Set.of("auth_params", "token", "tls_key_password", "password");

    /** Client properties that our own keys set, that hold secrets, or that JSON cannot express. */
    private static final Set<String> NOT_PASSED_THROUGH = Set.of("serviceUrl", "serviceUrlProvider", "authentication",
            "authPluginClassName", "authParams", "authParamMap", "tlsKeyStorePassword", "tlsTrustStorePassword",
            "socks5ProxyPassword", "originalPrincipal", "clock", "openTelemetry", "sslFactoryPluginParams");
    /** Every {@code ClientConfigurationData} property a source may set, e.g. {@code operationTimeoutMs}. */
    static final Set<String> CLIENT_PROPERTIES = clientPropertyNames();

    PulsarConnectorConfig {
        clientProperties = Map.copyOf(clientProperties);
    }

    @Override
    public String toString() {
        return "PulsarConnectorConfig[serviceUrl=" + serviceUrl + ", adminUrl=" + adminUrl + ", subscriptionType=" + subscriptionType
                + ", clientProperties=" + clientProperties.keySet() + "]";
    }

    /** The subscription of a group: {@code subscription_name} when given, else the group's name. */
    String subscription(String groupName) {
        return subscriptionName != null ? subscriptionName : groupName;
    }

    /** Parses parameters; collects every problem instead of stopping at the first; never puts a secret in a message. */
    static PulsarConnectorConfig parse(Map<String, Object> p, List<FieldError> errors) {
        Map<String, Object> clientProperties = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : p.entrySet()) {
            String k = e.getKey();
            if (KEYS.contains(k)) {
                continue;
            }
            if (CLIENT_PROPERTIES.contains(k)) {
                checkClientProperty(k, e.getValue(), errors);
                clientProperties.put(k, e.getValue());
            } else if (NOT_PASSED_THROUGH.contains(k)) {
                errors.add(new FieldError("connection_params." + k, "cannot be set here; use "
                        + (k.startsWith("auth") ? "auth_plugin_class_name and auth_params, token, or user and password" : "the Pulsar keys " + new TreeSet<>(KEYS))));
            } else {
                errors.add(new FieldError("connection_params." + k, "is not a Pulsar parameter; known: " + new TreeSet<>(KEYS)
                        + " and the Pulsar client's properties (operationTimeoutMs, tlsTrustCertsFilePath, ...)"));
            }
        }
        String serviceUrl = text(p, "service_url", errors);
        if (serviceUrl == null || serviceUrl.isBlank()) {
            errors.add(new FieldError("connection_params.service_url", "is required, e.g. pulsar://broker:6650"));
        } else if (!serviceUrl.startsWith("pulsar://") && !serviceUrl.startsWith("pulsar+ssl://")) {
            errors.add(new FieldError("connection_params.service_url", "must start with pulsar:// or pulsar+ssl://, was '" + serviceUrl + "'"));
        } else if (ServiceAddresses.parse(serviceUrl).isEmpty()) {
            errors.add(new FieldError("connection_params.service_url", "names no host:port, was '" + serviceUrl + "'"));
        }
        String adminUrl = text(p, "admin_url", errors);
        if (adminUrl != null) {
            adminUrl = adminUrl.endsWith("/") ? adminUrl.substring(0, adminUrl.length() - 1) : adminUrl;
            if (!isHttpUrl(adminUrl)) {
                errors.add(new FieldError("connection_params.admin_url", "must be an http:// or https:// URL of the broker's web service, was '" + adminUrl + "'"));
            }
        }
        String subscriptionName = text(p, "subscription_name", errors);
        if (subscriptionName != null && subscriptionName.isBlank()) {
            errors.add(new FieldError("connection_params.subscription_name", "must not be blank"));
        }
        SubscriptionType type = subscriptionType(text(p, "subscription_type", errors), errors);
        SubscriptionInitialPosition position = initialPosition(text(p, "subscription_initial_position", errors), errors);
        String authPlugin = text(p, "auth_plugin_class_name", errors);
        String authParams = text(p, "auth_params", errors);
        String token = text(p, "token", errors);
        String user = text(p, "user", errors);
        String password = text(p, "password", errors);
        String tlsKeyPassword = text(p, "tls_key_password", errors);
        if (authParams != null && authPlugin == null) {
            errors.add(new FieldError("connection_params.auth_params", "needs auth_plugin_class_name"));
        }
        if ((user == null) != (password == null)) {
            errors.add(new FieldError(user == null ? "connection_params.user" : "connection_params.password", "user and password go together"));
        }
        int schemes = (authPlugin != null ? 1 : 0) + (token != null ? 1 : 0) + (user != null || password != null ? 1 : 0);
        if (schemes > 1) {
            errors.add(new FieldError("connection_params.token", "give one authentication: auth_plugin_class_name, token, or user and password"));
        }
        return new PulsarConnectorConfig(serviceUrl, adminUrl, subscriptionName, type, position, authPlugin, authParams, token, user,
                password, tlsKeyPassword, clientProperties);
    }

    static PulsarConnectorConfig parseOrThrow(Map<String, Object> p) {
        List<FieldError> errors = new ArrayList<>();
        PulsarConnectorConfig c = parse(p, errors);
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors);
        }
        return c;
    }

    private static SubscriptionType subscriptionType(String value, List<FieldError> errors) {
        if (value == null) {
            return SubscriptionType.Key_Shared;
        }
        for (SubscriptionType t : SubscriptionType.values()) {
            if (t.name().equalsIgnoreCase(value.trim()) || t.name().replace("_", "").equalsIgnoreCase(value.trim().replace("_", ""))) {
                return t;
            }
        }
        errors.add(new FieldError("connection_params.subscription_type", "must be Key_Shared, Shared, Failover or Exclusive, was '" + value + "'"));
        return SubscriptionType.Key_Shared;
    }

    private static SubscriptionInitialPosition initialPosition(String value, List<FieldError> errors) {
        if (value == null) {
            return SubscriptionInitialPosition.Earliest;
        }
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "earliest":
                return SubscriptionInitialPosition.Earliest;
            case "latest":
                return SubscriptionInitialPosition.Latest;
            default:
                errors.add(new FieldError("connection_params.subscription_initial_position", "must be Earliest or Latest, was '" + value + "'"));
                return SubscriptionInitialPosition.Earliest;
        }
    }

    /** Loads one property into a throw-away builder: a wrong type or value is an error naming the key. */
    private static void checkClientProperty(String key, Object value, List<FieldError> errors) {
        try {
            PulsarClient.builder().loadConf(Map.of(key, value));
        } catch (RuntimeException e) {
            errors.add(new FieldError("connection_params." + key, "is not a valid value for the Pulsar client's " + key + ": '" + value + "'"));
        }
    }

    private static boolean isHttpUrl(String url) {
        try {
            URI uri = new URI(url);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static Set<String> clientPropertyNames() {
        Set<String> names = new TreeSet<>();
        for (Field f : ClientConfigurationData.class.getDeclaredFields()) {
            if (!Modifier.isStatic(f.getModifiers()) && !NOT_PASSED_THROUGH.contains(f.getName())) {
                names.add(f.getName());
            }
        }
        return Set.copyOf(names);
    }
}
