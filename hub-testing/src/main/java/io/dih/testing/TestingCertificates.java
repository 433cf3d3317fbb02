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
 * whoever checks them), both PKCS12 with the password {@link #PASSWORD}; client certificates on demand
 * ({@link #client}).
 */
public final class TestingCertificates {
    public static final String PASSWORD = "changeit-test";

    private final Path dir;
    private final Path keystore;
    private final Path truststore;

    private TestingCertificates(Path dir, Path keystore, Path truststore) {
        this.dir = dir;
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
            return new TestingCertificates(dir, node, trust);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A client's key and certificate ({@code CN=<name>}, for client authentication) in {@code <name>.p12}: signed by this
     * CA, or by nobody but itself when {@code signedByCa} is false (a stranger's certificate).
     */
    public Path client(String name, boolean signedByCa) {
        try {
            Path store = dir.resolve(name + ".p12");
            keytool(dir, "-genkeypair", "-alias", name, "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=" + name, "-validity", "3",
                    "-ext", "eku=clientAuth", "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
            if (signedByCa) {
                Path csr = dir.resolve(name + ".csr");
                Path pem = dir.resolve(name + ".pem");
                keytool(dir, "-certreq", "-alias", name, "-keystore", store.toString(), "-storepass", PASSWORD, "-file", csr.toString());
                keytool(dir, "-gencert", "-rfc", "-alias", "ca", "-keystore", dir.resolve("ca.p12").toString(), "-storepass", PASSWORD,
                        "-infile", csr.toString(), "-outfile", pem.toString(), "-validity", "3", "-ext", "eku=clientAuth");
                keytool(dir, "-importcert", "-noprompt", "-alias", "ca", "-file", dir.resolve("ca.pem").toString(), "-keystore", store.toString(),
                        "-storepass", PASSWORD);
                keytool(dir, "-importcert", "-alias", name, "-file", pem.toString(), "-keystore", store.toString(), "-storepass", PASSWORD);
            }
            return store;
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
