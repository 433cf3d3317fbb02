package io.dih.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * What the fixtures that run a server as a child JVM share: the server's classpath, which a small
 * {@code hub-testing-*-runtime} module resolved and wrote into a resource of its jar, behind {@link ParentWatchdog}.
 */
final class ChildJvms {
    private ChildJvms() {
    }

    /** {@code java} of the running JDK. */
    static String javaCommand() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * The child's classpath: {@link ParentWatchdog}'s location, then the server's jars as the runtime module wrote them
     * into {@code resource}.
     *
     * @param module the runtime module's artifactId, for the error when it is missing
     * @param what   the server, for the error
     */
    static String classpath(String resource, String module, String what) {
        return watchdogLocation() + File.pathSeparator + serverClasspath(resource, module, what);
    }

    private static String serverClasspath(String resource, String module, String what) {
        URL url = ChildJvms.class.getClassLoader().getResource(resource);
        if (url == null) {
            throw new IllegalStateException(resource + " is not on the classpath: add io.dih:" + module
                    + " as a test dependency of the module that starts " + what);
        }
        try (InputStream in = url.openStream()) {
            String classpath = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            if (classpath.isEmpty()) {
                throw new IllegalStateException(url + " is empty: rebuild " + module);
            }
            return classpath;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + url, e);
        }
    }

    /** Where {@link ParentWatchdog} is (this module's jar or classes directory); it uses only the JDK. */
    private static String watchdogLocation() {
        try {
            return Path.of(ParentWatchdog.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate " + ParentWatchdog.class.getName(), e);
        }
    }
}
