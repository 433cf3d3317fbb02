package io.dih.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/** Free TCP ports on loopback for servers started by tests; never the well-known defaults. */
public final class FreePorts {
    private static final Set<Integer> HANDED_OUT = new HashSet<>();

    private FreePorts() {
    }

    /** A port that was free a moment ago and has not been handed out by this JVM before. */
    public static synchronized int next() {
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
}
