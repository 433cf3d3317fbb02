package io.dih.connector.kafka;

import static io.dih.spi.ConnectionParams.field;
import static io.dih.spi.ConnectionParams.integer;
import static io.dih.spi.ConnectionParams.text;

import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * The connection parameters of a Kafka source, checked field by field.
 *
 * @param bootstrapServers       {@code host:port} of one or more brokers
 * @param groupId                the consumer group; {@code null}: the group name the hub gives {@code stream()}
 * @param clientProperties       every parameter written with dots ({@code security.protocol}, ...), as text, for the
 *                               consumer and the admin client; {@code sasl.jaas.config} built from {@code username}
 *                               and {@code password} when those are given
 * @param connectTimeoutSeconds  how long {@code create()}, {@code describe()} and {@code backlog()} wait for the cluster
 */
record KafkaConnectorConfig(List<String> bootstrapServers, String groupId, Map<String, String> clientProperties,
                            int connectTimeoutSeconds) {

    static final Set<String> KEYS = Set.of("bootstrap_servers", "group_id", "username", "password", "connect_timeout_seconds");
    static final Set<String> SECRETS = Set.of("sasl.jaas.config", "ssl.keystore.password", "ssl.truststore.password",
            "ssl.key.password", "password");
    /** Client properties the connector sets itself. */
    private static final Map<String, String> OWN = Map.of(
            "bootstrap.servers", "bootstrap_servers",
            "group.id", "group_id",
            "enable.auto.commit", "offsets are committed by the hub after each batch is stored",
            "key.deserializer", "keys are read as bytes",
            "value.deserializer", "values are read as bytes");

    KafkaConnectorConfig {
        bootstrapServers = List.copyOf(bootstrapServers);
        clientProperties = Collections.unmodifiableMap(new LinkedHashMap<>(clientProperties));
    }

    /** {@code host:port,host:port}: what an error may name (never a secret). */
    String servers() {
        return String.join(",", bootstrapServers);
    }

    /** What {@code auto.offset.reset} the consumer uses: {@code earliest} unless given. */
    String autoOffsetReset() {
        return clientProperties.getOrDefault(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    }

    @Override
    public String toString() {
        return "KafkaConnectorConfig[bootstrapServers=" + servers() + ", groupId=" + groupId + "]";
    }

    /**
     * Parses parameters; collects every problem instead of stopping at the first. {@code resolve} turns a secret's
     * {@code ${ENV}} reference into its value (identity when only validating).
     */
    static KafkaConnectorConfig parse(Map<String, Object> p, Resolver resolve, List<FieldError> errors) {
        Map<String, String> client = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : p.entrySet()) {
            String k = e.getKey();
            if (k.contains(".")) {
                String own = OWN.get(k);
                if (own != null) {
                    errors.add(new FieldError(field(k), own.contains(" ") ? "cannot be set: " + own : "cannot be set: use " + own));
                    continue;
                }
                String v = text(p, k, errors);
                if (v != null) {
                    v = SECRETS.contains(k) ? resolve.resolve(field(k), v) : v;
                    checkClientProperty(k, v, errors);
                    client.put(k, v);
                }
            } else if (!KEYS.contains(k)) {
                errors.add(new FieldError(field(k), "is not a Kafka parameter; known: " + new TreeSet<>(KEYS)
                        + " and any Kafka client property written with dots (security.protocol, ...)"));
            }
        }
        List<String> servers = servers(p.get("bootstrap_servers"), errors);
        String groupId = text(p, "group_id", errors);
        if (groupId != null && groupId.isBlank()) {
            errors.add(new FieldError(field("group_id"), "must not be blank"));
        }
        credentials(p, client, resolve, errors);
        int timeout = integer(p, "connect_timeout_seconds", 10, 1, 300, errors);
        return new KafkaConnectorConfig(servers, groupId, client, timeout);
    }

    static KafkaConnectorConfig parseOrThrow(Map<String, Object> p, Resolver resolve) {
        List<FieldError> errors = new ArrayList<>();
        KafkaConnectorConfig c = parse(p, resolve, errors);
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors);
        }
        return c;
    }

    /** Resolves a secret's value. */
    @FunctionalInterface
    interface Resolver {
        String resolve(String field, String value);
    }

    /** {@code username} and {@code password}: a PLAIN or SCRAM login, as {@code sasl.jaas.config}. */
    private static void credentials(Map<String, Object> p, Map<String, String> client, Resolver resolve, List<FieldError> errors) {
        String user = text(p, "username", errors);
        String password = text(p, "password", errors);
        if (user == null && password == null) {
            return;
        }
        if (user == null || password == null) {
            errors.add(new FieldError(field(user == null ? "username" : "password"), "is required with "
                    + (user == null ? "password" : "username")));
            return;
        }
        if (client.containsKey("sasl.jaas.config")) {
            errors.add(new FieldError(field("username"), "give either username and password or sasl.jaas.config, not both"));
            return;
        }
        String protocol = client.getOrDefault("security.protocol", "PLAINTEXT").toUpperCase(Locale.ROOT);
        if (!protocol.startsWith("SASL_")) {
            errors.add(new FieldError(field("security.protocol"), "must be SASL_SSL or SASL_PLAINTEXT with username and password, was "
                    + protocol));
        }
        String mechanism = client.getOrDefault("sasl.mechanism", "PLAIN").toUpperCase(Locale.ROOT);
        String module;
        if (mechanism.equals("PLAIN")) {
            module = "org.apache.kafka.common.security.plain.PlainLoginModule";
        } else if (mechanism.startsWith("SCRAM-")) {
            module = "org.apache.kafka.common.security.scram.ScramLoginModule";
        } else {
            errors.add(new FieldError(field("sasl.mechanism"), "must be PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 with username and password"
                    + " (or give sasl.jaas.config), was " + mechanism));
            return;
        }
        client.putIfAbsent("sasl.mechanism", "PLAIN");
        String secret = resolve.resolve(field("password"), password);
        client.put("sasl.jaas.config", module + " required username=\"" + escape(user) + "\" password=\"" + escape(secret) + "\";");
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    /** Checks the value of a property the consumer or admin client knows; others pass through to plugins as given. */
    private static void checkClientProperty(String key, String value, List<FieldError> errors) {
        ConfigDef.ConfigKey def = ConsumerConfig.configDef().configKeys().get(key);
        if (def == null) {
            def = AdminClientConfig.configDef().configKeys().get(key);
        }
        if (def == null) {
            return;
        }
        try {
            Object parsed = ConfigDef.parseType(key, value, def.type);
            if (def.validator != null) {
                def.validator.ensureValid(key, parsed);
            }
        } catch (ConfigException e) {
            errors.add(new FieldError(field(key), SECRETS.contains(key) ? "is not valid" : e.getMessage()));
        }
    }

    private static List<String> servers(Object v, List<FieldError> errors) {
        if (v == null || v.toString().isBlank()) {
            errors.add(new FieldError(field("bootstrap_servers"), "is required: host:port[,host:port]"));
            return List.of();
        }
        List<String> entries = new ArrayList<>();
        if (v instanceof List<?> list) {
            list.forEach(x -> entries.add(String.valueOf(x)));
        } else if (v instanceof Map) {
            errors.add(new FieldError(field("bootstrap_servers"), "must be host:port[,host:port] or a list of host:port"));
            return List.of();
        } else {
            for (String s : v.toString().split(",")) {
                entries.add(s);
            }
        }
        List<String> out = new ArrayList<>();
        for (String raw : entries) {
            String s = raw.trim();
            String problem = hostPortProblem(s);
            if (problem != null) {
                errors.add(new FieldError(field("bootstrap_servers"), "'" + s + "' " + problem));
            } else {
                out.add(s);
            }
        }
        if (out.isEmpty() && errors.stream().noneMatch(e -> e.field().equals(field("bootstrap_servers")))) {
            errors.add(new FieldError(field("bootstrap_servers"), "is required: host:port[,host:port]"));
        }
        return out;
    }

    /** Why {@code s} is not {@code host:port} ({@code [v6]:port} too), or {@code null}. */
    static String hostPortProblem(String s) {
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            return "is not host:port";
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") != host.endsWith("]")) {
            return "is not host:port (an IPv6 address goes in brackets)";
        }
        if (!host.startsWith("[") && (host.contains(":") || !host.matches("[A-Za-z0-9._-]+"))) {
            return "is not host:port";
        }
        try {
            int port = Integer.parseInt(s.substring(colon + 1));
            if (port < 1 || port > 65535) {
                return "has a port outside 1-65535";
            }
        } catch (NumberFormatException e) {
            return "is not host:port (the port is not a number)";
        }
        return null;
    }
}
