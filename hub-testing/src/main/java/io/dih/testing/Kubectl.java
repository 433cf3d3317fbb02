package io.dih.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code kubectl} for tests that render manifests ({@code kubectl kustomize}, offline: no cluster needed). Uses the
 * {@code kubectl} on the PATH if there is one, else downloads the official static binary of {@link #VERSION} once into
 * {@code ~/.cache/dih/kubectl-<version>}, after checking it against the SHA-256 published next to it.
 */
public final class Kubectl {
    public static final String VERSION = "v1.32.0";
    private static final String RELEASES = "https://dl.k8s.io/release/";
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(2);
    private static Path binary;

    private Kubectl() {
    }

    /** The kubectl binary to run: the PATH's, or the downloaded one. */
    public static synchronized Path binary() {
        if (binary == null) {
            binary = onPath();
            if (binary == null) {
                binary = downloaded();
            }
        }
        return binary;
    }

    /** {@code kubectl kustomize <dir>}: the rendered multi-document YAML; fails with kubectl's error output. */
    public static String kustomize(Path dir) {
        return run(List.of(binary().toString(), "kustomize", dir.toAbsolutePath().toString()));
    }

    private static String run(List<String> command) {
        try {
            Path err = Files.createTempFile("kubectl-", ".err");
            try {
                Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
                p.getOutputStream().close();
                byte[] out;
                try (InputStream in = p.getInputStream()) {
                    out = in.readAllBytes(); // kubectl writes everything and exits: no deadlock, stderr goes to a file
                }
                if (!p.waitFor(RUN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException(String.join(" ", command) + " did not finish in " + RUN_TIMEOUT);
                }
                if (p.exitValue() != 0) {
                    throw new IllegalStateException(String.join(" ", command) + " failed (exit " + p.exitValue() + "): "
                            + Files.readString(err));
                }
                return new String(out, StandardCharsets.UTF_8);
            } finally {
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Path onPath() {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path candidate = Path.of(dir, "kubectl");
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        return null;
    }

    /** The cached download, fetched and verified now if it is not there yet. */
    private static Path downloaded() {
        Path target = Path.of(System.getProperty("user.home"), ".cache", "dih", "kubectl-" + VERSION);
        if (Files.isExecutable(target)) {
            return target;
        }
        String url = RELEASES + VERSION + "/bin/" + platform() + "/kubectl";
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(Duration.ofSeconds(30)).build();
        try {
            Files.createDirectories(target.getParent());
            String expected = new String(get(http, url + ".sha256"), StandardCharsets.US_ASCII).trim().split("\\s+")[0];
            byte[] bytes = get(http, url);
            String actual = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
            if (!actual.equalsIgnoreCase(expected)) {
                throw new IllegalStateException(url + " has SHA-256 " + actual + ", but " + url + ".sha256 says " + expected);
            }
            // written aside and moved into place, so a parallel or interrupted run never sees half a binary
            Path part = Files.createTempFile(target.getParent(), "kubectl-", ".part");
            Files.write(part, bytes);
            if (!part.toFile().setExecutable(true, false)) {
                throw new IllegalStateException("cannot make " + part + " executable");
            }
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot download kubectl from " + url + " (or put kubectl on the PATH)", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static byte[] get(HttpClient http, String url) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(5)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + url + ": HTTP " + r.statusCode());
        }
        return r.body();
    }

    /** {@code linux/amd64}, {@code darwin/arm64}…: the official builds' directory for this machine. */
    private static String platform() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        String system = os.contains("linux") ? "linux" : os.contains("mac") || os.contains("darwin") ? "darwin" : null;
        String cpu = switch (arch) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            default -> null;
        };
        if (system == null || cpu == null) {
            throw new IllegalStateException("no kubectl on the PATH and no download for " + os + "/" + arch + ": install kubectl");
        }
        return system + "/" + cpu;
    }
}
