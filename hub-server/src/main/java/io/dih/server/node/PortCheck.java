package io.dih.server.node;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Optional;

/**
 * The ports a node listens on, checked before anything starts: a port another process holds (a second demo, say) is
 * then one line naming the port and the setting to change, instead of Ignite's stack traces after a half start.
 */
final class PortCheck {
    private PortCheck() {
    }

    /** Why the node cannot start, or empty when its REST and thin-client ports are free. */
    static Optional<String> busy(HubConfig cfg) {
        if (cfg.gateway().port() > 0 && !free(cfg.gateway().host(), cfg.gateway().port(), 0)) {
            return Optional.of(message(cfg.gateway().host(), cfg.gateway().port(), "REST gateway: gateway.port, DIH_GATEWAY_PORT"));
        }
        HubConfig.ThinClient thin = cfg.thinClient();
        if (cfg.igniteConfig() == null && thin.port() > 0 && !free(thin.host(), thin.port(), thin.portRange())) {
            String ports = thin.portRange() == 0 ? Integer.toString(thin.port()) : thin.port() + "-" + (thin.port() + thin.portRange());
            return Optional.of(message(thin.host(), ports, "thin client / JDBC: thin_client.port, DIH_THIN_CLIENT_PORT"));
        }
        return Optional.empty();
    }

    private static String message(String host, Object port, String setting) {
        return "Cannot start: port " + port + " on " + (host == null ? "0.0.0.0" : host) + " (" + setting + ") is in use. "
                + "Is another hub running? Stop it, or choose another port.";
    }

    /** Whether one port of {@code port..port+range} can be bound on {@code host}. */
    static boolean free(String host, int port, int range) {
        for (int p = port; p <= port + range; p++) {
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(host == null ? new InetSocketAddress(p) : new InetSocketAddress(InetAddress.getByName(host), p));
                return true;
            } catch (IOException inUse) {
                // try the next port of the range
            }
        }
        return false;
    }
}
