package io.dih.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreePortsTest {
    private static List<String> windows(int low, int high) {
        return FreePorts.windows(new int[] {low, high}).stream().map(w -> w[0] + "-" + w[1]).toList();
    }

    @Test
    void portsComeFromBelowAndAboveTheEphemeralRange() {
        assertThat(windows(32768, 60999)).containsExactly("20000-32768", "61000-65536");
        // IANA's range: below it up to Ignite's default communication block, nothing above
        assertThat(windows(49152, 65535)).containsExactly("20000-47100");
    }

    @Test
    void aRangeStartingLowLeavesTheRoomAboveIgnitesThinClientBlock() {
        // gVisor-like: ephemeral ports from 16000 — 11000 to 15999 stay, clear of 10800-10900
        assertThat(windows(16000, 65535)).containsExactly("11000-16000");
        assertThat(windows(1024, 65535)).as("no room anywhere: the kernel picks").isEmpty();
        assertThat(windows(1024, 50000)).containsExactly("50001-65536");
    }

    @Test
    void handedOutPortsAreBindableAndNeverTwiceAndOutsideTheEphemeralRange() throws Exception {
        int[] ephemeral = FreePorts.ephemeralRange();
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            int port = FreePorts.next();
            assertThat(seen.add(port)).as("handed out twice: %d", port).isTrue();
            if (!FreePorts.windows(ephemeral).isEmpty()) {
                assertThat(port < ephemeral[0] || port > ephemeral[1]).as("%d outside the ephemeral range %d-%d", port, ephemeral[0],
                        ephemeral[1]).isTrue();
            }
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                assertThat(s.getLocalPort()).isEqualTo(port);
            }
        }
    }
}
