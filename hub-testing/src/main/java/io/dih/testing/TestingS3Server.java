package io.dih.testing;

import io.minio.BucketExistsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.UploadObjectArgs;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real S3 API server for tests: S3Proxy (signature V2/V4 checks included) over a directory, as a child JVM from the
 * classpath {@code hub-testing-s3proxy-runtime} resolves. No MinIO server can be had from Maven Central or Debian;
 * S3Proxy speaks the same API the MinIO SDK and every S3 client use.
 *
 * <p>It listens on 127.0.0.1 only, on a free port; its configuration, objects and log file ({@code s3proxy.log}) live
 * in a work directory of its own under {@code java.io.tmpdir}, deleted on close (kept with
 * {@code -Ddih.testing.keepWorkDirs=true}, and kept when start fails). {@link #start()} gives a server of your own,
 * to close; {@link #shared()} one per JVM, stopped by a shutdown hook (each test should use buckets of its own).
 */
public final class TestingS3Server implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TestingS3Server.class);

    /** The server's classpath, one line with the platform's path separator, as {@code hub-testing-s3proxy-runtime} writes it. */
    public static final String CLASSPATH_RESOURCE = "io/dih/testing/s3proxy-runtime.classpath";
    private static final String HOST = "127.0.0.1";
    private static final String MAIN_CLASS = "org.gaul.s3proxy.Main";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);
    private static final String ACCESS_KEY = "dih-test-access";
    private static final String SECRET_KEY = "dih-test-secret-key";

    private static TestingS3Server shared;

    private final boolean isShared;
    private final Path workDir;
    private final Path logFile;
    private final int port;
    private final Process process;
    private final Thread shutdownHook;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final MinioClient client;

    private TestingS3Server(boolean isShared) {
        this.isShared = isShared;
        this.workDir = ProcessTrees.createWorkDir("dih-s3-", "S3Proxy");
        this.logFile = workDir.resolve("s3proxy.log");
        this.port = FreePorts.next();
        long startNanos = System.nanoTime();
        try {
            Path objects = Files.createDirectories(workDir.resolve("objects"));
            Path properties = workDir.resolve("s3proxy.properties");
            Files.writeString(properties, String.join(System.lineSeparator(),
                    "s3proxy.endpoint=http://" + HOST + ":" + port,
                    "s3proxy.authorization=aws-v2-or-v4",
                    "s3proxy.identity=" + ACCESS_KEY,
                    "s3proxy.credential=" + SECRET_KEY,
                    "jclouds.provider=filesystem-nio2",
                    "jclouds.filesystem.basedir=" + objects,
                    ""), StandardCharsets.UTF_8);
            List<String> command = List.of(ChildJvms.javaCommand(), "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Djava.io.tmpdir=" + workDir,
                    "-cp", ChildJvms.classpath(CLASSPATH_RESOURCE, "hub-testing-s3proxy-runtime", "S3Proxy"), ParentWatchdog.class.getName(), MAIN_CLASS,
                    "--properties", properties.toString());
            // stdin stays a pipe that nobody writes to: ParentWatchdog exits the child when it closes
            this.process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                    .redirectOutput(Redirect.appendTo(logFile.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the S3Proxy child JVM [workDir=" + workDir + "]", e);
        }
        this.shutdownHook = new Thread(this::stop, "s3proxy-" + port + "-stopper");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        this.client = MinioClient.builder().endpoint(endpoint()).credentials(ACCESS_KEY, SECRET_KEY).region("us-east-1").build();
        try {
            awaitReady();
        } catch (RuntimeException | Error e) {
            stopKeepingWorkDir();
            throw e;
        }
        LOG.info("S3Proxy started on {}:{} in {} ms [pid={}, workDir={}]", HOST, port,
                Duration.ofNanos(System.nanoTime() - startNanos).toMillis(), process.pid(), workDir);
    }

    /** Starts a server of your own; close it when done. */
    public static TestingS3Server start() {
        return new TestingS3Server(false);
    }

    /** The server of this JVM, started on first use; {@link #close()} leaves it running, a shutdown hook stops it. */
    public static synchronized TestingS3Server shared() {
        if (shared == null) {
            shared = new TestingS3Server(true);
        }
        return shared;
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String endpoint() {
        return "http://" + HOST + ":" + port;
    }

    public String host() {
        return HOST;
    }

    public int port() {
        return port;
    }

    public String accessKey() {
        return ACCESS_KEY;
    }

    public String secretKey() {
        return SECRET_KEY;
    }

    public Path logFile() {
        return logFile;
    }

    /** A client of this server (the fixture's own; do not close it). */
    public MinioClient client() {
        return client;
    }

    /** Creates the bucket if it does not exist. */
    public void createBucket(String bucket) {
        call("create bucket " + bucket, () -> {
            if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
                client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
            }
            return null;
        });
    }

    /** Puts an object with the given text (UTF-8). */
    public void put(String bucket, String object, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        call("put " + bucket + "/" + object, () -> client.putObject(PutObjectArgs.builder().bucket(bucket).object(object)
                .stream(new ByteArrayInputStream(bytes), bytes.length, -1).build()));
    }

    /** Uploads a file as an object (multipart when large). */
    public void upload(String bucket, String object, Path file) {
        call("upload " + bucket + "/" + object, () -> client.uploadObject(UploadObjectArgs.builder().bucket(bucket).object(object)
                .filename(file.toString()).build()));
    }

    public void remove(String bucket, String object) {
        call("remove " + bucket + "/" + object, () -> {
            client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(object).build());
            return null;
        });
    }

    private interface Call<T> {
        T run() throws Exception;
    }

    private <T> T call(String what, Call<T> call) {
        try {
            return call.run();
        } catch (Exception e) {
            throw new IllegalStateException("cannot " + what + " on " + this + ": " + e, e);
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        String last = "no answer yet";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("S3Proxy exited with " + process.exitValue() + " while starting [log=" + logFile + "]:"
                        + System.lineSeparator() + ProcessTrees.tail(logFile, 40));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(HOST, port), 500);
                client.listBuckets(); // signed: the server is up and checks our keys
                return;
            } catch (Exception e) {
                last = e.toString();
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while S3Proxy was starting", e);
            }
        }
        throw new IllegalStateException("S3Proxy did not answer within " + STARTUP_TIMEOUT.toSeconds() + " s [endpoint=" + endpoint()
                + ", last=" + last + ", log=" + logFile + "]:" + System.lineSeparator() + ProcessTrees.tail(logFile, 40));
    }

    /** Stops the server and deletes its work directory; idempotent. A {@link #shared()} server ignores it. */
    @Override
    public void close() {
        if (!isShared) {
            stop();
        }
    }

    private void stop() {
        ProcessTrees.stopOnce(stopped, shutdownHook, process, STOP_GRACE, "S3Proxy", workDir, false);
    }

    private void stopKeepingWorkDir() {
        ProcessTrees.stopOnce(stopped, shutdownHook, process, STOP_GRACE, "S3Proxy", workDir, true);
    }

    @Override
    public String toString() {
        return "TestingS3Server[" + endpoint() + "]";
    }
}
