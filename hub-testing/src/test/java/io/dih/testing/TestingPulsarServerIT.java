package io.dih.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** The Pulsar fixture: a broker of its own starts, takes topics, and leaves nothing behind. */
class TestingPulsarServerIT {
    @Test
    void startsCreatesTopicsAndStopsWithItsProcessAndWorkDir() {
        TestingPulsarServer pulsar = TestingPulsarServer.start();
        ProcessHandle child;
        try {
            assertThat(pulsar.serviceUrl()).isEqualTo("pulsar://127.0.0.1:" + pulsar.brokerPort());
            assertThat(pulsar.adminUrl()).isEqualTo("http://127.0.0.1:" + pulsar.webPort());
            assertThat(pulsar.createPartitionedTopic("fixture-p", 2)).isEqualTo("persistent://public/default/fixture-p");
            assertThat(pulsar.createTopic("fixture-n")).isEqualTo("persistent://public/default/fixture-n");
            assertThat(pulsar.admin("GET", "/admin/v2/persistent/public/default", null))
                    .contains("fixture-p-partition-0", "fixture-p-partition-1", "fixture-n");
            pulsar.deleteTopic("fixture-p");
            assertThat(pulsar.admin("GET", "/admin/v2/persistent/public/default", null)).doesNotContain("fixture-p");
            child = ProcessHandle.of(pulsar.pid()).orElseThrow();
            assertThat(Files.isDirectory(pulsar.workDir())).isTrue();
        } finally {
            pulsar.close();
        }
        pulsar.close();
        assertThat(child.isAlive()).isFalse();
        assertThat(Files.exists(pulsar.workDir())).isFalse();
    }
}
