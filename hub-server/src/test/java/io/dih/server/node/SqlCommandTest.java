package io.dih.server.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class SqlCommandTest {
    @Test
    void multiLineValuesStayOnTheirRow() {
        TextTable t = new TextTable(List.of("id", "error"));
        t.add(List.of("a1", "ERROR: new row violates check constraint\n  Detail: Failing row contains (13, -5).\r\n\tWhere: x"));
        t.add(Arrays.asList("a2", null));
        List<String> lines = t.lines();
        assertThat(lines).hasSize(5);
        assertThat(lines.get(0)).isEqualTo("id | error");
        assertThat(lines.get(2)).isEqualTo("a1 | ERROR: new row violates check constraint\\n  Detail: Failing row contains (13, -5).\\r\\n\\tWhere: x");
        assertThat(lines.get(3)).isEqualTo("a2 | NULL");
        assertThat(lines.get(1)).isEqualTo("---+-" + "-".repeat(lines.get(2).length() - 5));
        assertThat(lines.get(4)).isEqualTo("(2 rows)");
        assertThat(String.join("\n", lines).lines()).hasSize(5);
    }

    @Test
    void columnsArePaddedToTheirWidestCell() {
        TextTable t = new TextTable(List.of("name", "n"));
        t.add(List.of("x", 12345));
        assertThat(t.lines()).containsExactly("name | n", "-----+------", "x    | 12345", "(1 row)");
        assertThat(TextTable.cell("a\tb\\n")).isEqualTo("a\\tb\\n");
    }

    @Test
    void theDefaultUrlTakesTheNodesThinClientPortFromTheEnvironment() {
        assertThat(SqlCommand.defaultUrl(Map.of())).isEqualTo("jdbc:ignite:thin://127.0.0.1:10800");
        assertThat(SqlCommand.defaultUrl(Map.of("DIH_THIN_CLIENT_PORT", "10899"))).isEqualTo("jdbc:ignite:thin://127.0.0.1:10899");
        assertThat(SqlCommand.defaultUrl(Map.of("DIH_THIN_CLIENT_PORT", " 12000 "))).isEqualTo("jdbc:ignite:thin://127.0.0.1:12000");
        assertThat(SqlCommand.defaultUrl(Map.of("DIH_THIN_CLIENT_PORT", ""))).isEqualTo("jdbc:ignite:thin://127.0.0.1:10800");
        assertThatThrownBy(() -> SqlCommand.defaultUrl(Map.of("DIH_THIN_CLIENT_PORT", "ten"))).hasMessageContaining("DIH_THIN_CLIENT_PORT");
        assertThatThrownBy(() -> SqlCommand.defaultUrl(Map.of("DIH_THIN_CLIENT_PORT", "70000"))).hasMessageContaining("70000");
    }

    @Test
    void aFailedConnectionNamesTheUrlItWasGiven() throws IOException {
        int port = freePort();
        String url = "jdbc:ignite:thin://127.0.0.1:" + port;
        Run r = run(Map.of(), "--url", url, "SELECT 1");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).startsWith("Cannot connect [url=" + url + "]");

        Run byEnv = run(Map.of("DIH_THIN_CLIENT_PORT", Integer.toString(port)), "SELECT 1");
        assertThat(byEnv.exit()).isEqualTo(1);
        assertThat(byEnv.err()).as("without --url: the port from the environment").startsWith("Cannot connect [url=" + url + "]");

        Run badEnv = run(Map.of("DIH_THIN_CLIENT_PORT", "many"), "SELECT 1");
        assertThat(badEnv.exit()).isEqualTo(2);
        assertThat(badEnv.err()).contains("DIH_THIN_CLIENT_PORT");
    }

    @Test
    void passwordsInTheUrlAreNotPrinted() throws IOException {
        String url = "jdbc:postgresql://127.0.0.1:" + freePort() + "/postgres?user=postgres&password=s3cret&ssl=false";
        Run r = run(Map.of(), "--url", url, "SELECT 1");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("password=***&ssl=false").doesNotContain("s3cret");
    }

    @Test
    void theJarsCommandLineMakesTheSqlCommand() throws IOException {
        int port = freePort();
        PrintStream before = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            exit = new CommandLine(new HubMain()).execute("sql", "--url", "jdbc:ignite:thin://127.0.0.1:" + port, "SELECT 1");
        } finally {
            System.setErr(before);
        }
        assertThat(exit).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("[url=jdbc:ignite:thin://127.0.0.1:" + port + "]");
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new CommandLine(new SqlCommand(env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8))).execute(args);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A port nobody listens on (free a moment ago). */
    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
