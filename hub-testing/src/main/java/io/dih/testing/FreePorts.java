package io.dih.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free TCP ports on loopback for servers started by tests; never the well-known defaults. Ports come from outside the
 * kernel's ephemeral range: a port handed out here stays free until its server binds it, because outgoing
 * connections (JDBC, HTTP, other test processes) take their local ports from the ephemeral range — a port picked
 * inside that range was once taken by one such connection between the pick and the bind. The room below the range is
 * used first, then the room above it; only where the range leaves no room at all does the kernel pick.
 */
public final class FreePorts {
    private static final Set<Integer> HANDED_OUT = new HashSet<>();
    /** The lowest port handed out while there is room above it: above every well-known service. */
    private static final int PREFERRED_LOWEST = 20_000;
    /** The lowest port ever handed out: above Ignite's default thin-client block (10800-10900). */
    private static final int LOWEST = 11_000;
    private static final int MIN_ROOM = 1000;
    /** The ports handed out: {@code [from, to)} windows outside the ephemeral range. */
    private static final List<int[]> WINDOWS = windows(ephemeralRange());

    private FreePorts() {
    }

    /** A port that was free a moment ago and has not been handed out by this JVM before. */
    public static synchronized int next() {
        int room = WINDOWS.stream().mapToInt(w -> w[1] - w[0]).sum();
        if (room > 0) {
            for (int attempt = 0; attempt < 1000; attempt++) {
                int port = pick(ThreadLocalRandom.current().nextInt(room));
                if (!HANDED_OUT.contains(port) && bindable(port)) {
                    HANDED_OUT.add(port);
                    return port;
                }
            }
        }
        return fromEphemeralRange();
    }

    private static int pick(int offset) {
        for (int[] w : WINDOWS) {
            if (offset < w[1] - w[0]) {
                return w[0] + offset;
            }
            offset -= w[1] - w[0];
        }
        throw new IllegalStateException("offset beyond the windows: " + offset);
    }

    /**
     * The windows outside an ephemeral range {@code [low, high]}: below it from 20000 (from 11000 when that leaves too
     * little), and above it up to Ignite's default discovery and communication blocks are skipped; each at least 1000
     * ports wide or left out.
     */
    static List<int[]> windows(int[] ephemeral) {
        List<int[]> out = new ArrayList<>();
        int low = Math.min(ephemeral[0], 65_536);
        int from = low - PREFERRED_LOWEST >= MIN_ROOM ? PREFERRED_LOWEST : LOWEST;
        if (low - from >= MIN_ROOM) {
            out.add(new int[] {from, Math.min(low, 47_100)});
        }
        int above = Math.max(ephemeral[1] + 1, 47_601);
        if (65_536 - above >= MIN_ROOM) {
            out.add(new int[] {above, 65_536});
        }
        out.removeIf(w -> w[1] - w[0] < MIN_ROOM);
        return List.copyOf(out);
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

    /**
     * The kernel's ephemeral range {@code [low, high]} (Linux); where it cannot be read, Linux's default joined with
     * IANA's (32768 to 65535), so a guess never hands out a port the kernel could give a connection.
     */
    static int[] ephemeralRange() {
        try {
            String[] range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+");
            return new int[] {Integer.parseInt(range[0]), Integer.parseInt(range[1])};
        } catch (IOException | RuntimeException e) {
            return new int[] {32_768, 65_535};
        }
    }
}
