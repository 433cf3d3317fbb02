package io.dih.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free TCP ports on loopback for servers started by tests; never the well-known defaults. Ports come from below the
 * kernel's ephemeral range: a port handed out here stays free until its server binds it, because outgoing
 * connections (JDBC, HTTP, other test processes) take their local ports from the ephemeral range — a port picked
 * inside that range was once taken by one such connection between the pick and the bind.
 */
public final class FreePorts {
    private static final Set<Integer> HANDED_OUT = new HashSet<>();
    /** The lowest port handed out: above every well-known service and Ignite's default blocks (10800, 47100, 47500). */
    private static final int LOWEST = 20_000;
    private static final int EPHEMERAL_LOW = ephemeralLow();

    private FreePorts() {
    }

    /** A port that was free a moment ago and has not been handed out by this JVM before. */
    public static synchronized int next() {
        if (EPHEMERAL_LOW - LOWEST >= 1000) {
            for (int attempt = 0; attempt < 1000; attempt++) {
                int port = ThreadLocalRandom.current().nextInt(LOWEST, EPHEMERAL_LOW);
                if (!HANDED_OUT.contains(port) && bindable(port)) {
                    HANDED_OUT.add(port);
                    return port;
                }
            }
        }
        return fromEphemeralRange();
    }

    /** The old way, where the kernel's ephemeral range leaves no room below it: a port the kernel picks. */
    private static int fromEphemeralRange() {
        for (int attempt = 0; attempt < 100; attempt++) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                s.setReuseAddress(true);
                int port = s.getLocalPort();
                // Keep clear of Ignite's default port blocks, so a test node never joins another process's cluster.
                boolean igniteDefault = (port >= 47100 && port <= 47200) || (port >= 47500 && port <= 47600)
                        || (port >= 10800 && port <= 10900);
                if (!igniteDefault && HANDED_OUT.add(port)) {
                    return port;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot find a free port", e);
            }
        }
        throw new IllegalStateException("no free port after 100 attempts");
    }

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return true;
        } catch (IOException inUse) {
            return false;
        }
    }

    /** The first port of the kernel's ephemeral range (Linux), or the IANA default 49152 where it cannot be read. */
    private static int ephemeralLow() {
        try {
            String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
            return Integer.parseInt(range.split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 49_152;
        }
    }
}
