package io.dih.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A test certificate authority and one certificate it signed for {@code localhost} / {@code 127.0.0.1}, made with the
 * JDK's own {@code keytool}: {@code node.p12} (the key and its chain, for servers) and {@code trust.p12} (the CA, for
 * whoever checks them), both PKCS12 with the password {@link #PASSWORD}.
 */
public final class TestingCertificates {
    public static final String PASSWORD = "changeit-test";

    private final Path keystore;
    private final Path truststore;

    private TestingCertificates(Path keystore, Path truststore) {
        this.keystore = keystore;
        this.truststore = truststore;
    }

    /** Makes the CA and the certificate in {@code dir}. */
    public static TestingCertificates create(Path dir) {
        try {
            Files.createDirectories(dir);
            Path ca = dir.resolve("ca.p12");
            Path node = dir.resolve("node.p12");
            Path trust = dir.resolve("trust.p12");
            Path caPem = dir.resolve("ca.pem");
            Path csr = dir.resolve("node.csr");
            Path nodePem = dir.resolve("node.pem");
            keytool(dir, "-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=dih-test-ca", "-ext", "bc:c",
                    "-validity", "3", "-keystore", ca.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
            keytool(dir, "-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-storepass", PASSWORD, "-file", caPem.toString());
            keytool(dir, "-genkeypair", "-alias", "node", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost", "-validity", "3",
                    "-keystore", node.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
            keytool(dir, "-certreq", "-alias", "node", "-keystore", node.toString(), "-storepass", PASSWORD, "-file", csr.toString());
            keytool(dir, "-gencert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-storepass", PASSWORD, "-infile", csr.toString(),
                    "-outfile", nodePem.toString(), "-validity", "3", "-ext", "san=dns:localhost,ip:127.0.0.1", "-ext", "eku=serverAuth,clientAuth");
            keytool(dir, "-importcert", "-noprompt", "-alias", "ca", "-file", caPem.toString(), "-keystore", node.toString(), "-storepass", PASSWORD);
            keytool(dir, "-importcert", "-alias", "node", "-file", nodePem.toString(), "-keystore", node.toString(), "-storepass", PASSWORD);
            keytool(dir, "-importcert", "-noprompt", "-alias", "ca", "-file", caPem.toString(), "-keystore", trust.toString(), "-storetype", "PKCS12",
                    "-storepass", PASSWORD);
            return new TestingCertificates(node, trust);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The node's key and certificate chain. */
    public Path keystore() {
        return keystore;
    }

    /** The CA certificate. */
    public Path truststore() {
        return truststore;
    }

    private static void keytool(Path dir, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("keytool " + args[0] + " did not finish within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException("keytool " + String.join(" ", args) + " failed: " + out);
        }
    }
}
