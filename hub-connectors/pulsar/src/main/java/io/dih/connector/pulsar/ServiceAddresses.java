package io.dih.connector.pulsar;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/** The {@code host:port} pairs of a Pulsar service URL ({@code pulsar://h1:6650,h2:6650}), and a check that one answers. */
final class ServiceAddresses {
    private ServiceAddresses() {
    }

    /** The addresses in a service URL; empty when it names none. Without a port: 6650, or 6651 for {@code pulsar+ssl}. */
    static List<String> parse(String serviceUrl) {
        int scheme = serviceUrl.indexOf("://");
        if (scheme < 0) {
            return List.of();
        }
        int defaultPort = serviceUrl.startsWith("pulsar+ssl") ? 6651 : 6650;
        String hosts = serviceUrl.substring(scheme + 3);
        int slash = hosts.indexOf('/');
        hosts = slash >= 0 ? hosts.substring(0, slash) : hosts;
        List<String> out = new ArrayList<>();
        for (String h : hosts.split(",")) {
            h = h.trim();
            if (h.isEmpty()) {
                continue;
            }
            int colon = h.lastIndexOf(':');
            if (colon < 0 || h.endsWith("]")) {
                out.add(h + ":" + defaultPort);
            } else {
                try {
                    int port = Integer.parseInt(h.substring(colon + 1));
                    if (port < 1 || port > 65535 || colon == 0) {
                        return List.of();
                    }
                    out.add(h);
                } catch (NumberFormatException e) {
                    return List.of();
                }
            }
        }
        return List.copyOf(out);
    }

    /**
     * Connects to each address in turn until one accepts a TCP connection.
     *
     * @return null when one answered, else what went wrong with each (host and port, never a credential)
     */
    static String firstReachable(List<String> addresses, int timeoutMillis) {
        StringBuilder failures = new StringBuilder();
        for (String address : addresses) {
            int colon = address.lastIndexOf(':');
            String host = address.substring(0, colon);
            int port = Integer.parseInt(address.substring(colon + 1));
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(host, port), timeoutMillis);
                return null;
            } catch (IOException e) {
                if (failures.length() > 0) {
                    failures.append("; ");
                }
                failures.append(address).append(": ").append(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            }
        }
        return failures.toString();
    }
}
