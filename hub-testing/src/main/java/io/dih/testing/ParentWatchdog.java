package io.dih.testing;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * The main class of a server's child JVM: runs {@code args[0]}'s {@code main} with the other arguments, and halts the
 * JVM when standard input ends. A fixture keeps the child's stdin open; when the test JVM dies (even by
 * {@code kill -9}) the pipe closes, and the child goes with it instead of holding its ports and memory.
 *
 * <p>Uses nothing but the JDK, so it can sit on any child's classpath.
 */
public final class ParentWatchdog {
    private ParentWatchdog() {
    }

    public static void main(String[] args) throws Throwable {
        if (args.length == 0) {
            throw new IllegalArgumentException("usage: ParentWatchdog <main class> [arguments...]");
        }
        Thread watchdog = new Thread(ParentWatchdog::haltAtEndOfInput, "parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        Method main = Class.forName(args[0]).getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static void haltAtEndOfInput() {
        InputStream in = System.in;
        byte[] buffer = new byte[256];
        try {
            while (in.read(buffer) >= 0) {
                // the parent writes nothing; reading only waits for the end of input
            }
        } catch (IOException e) {
            // a broken pipe means the same as the end of input: the parent is gone
        }
        System.err.println("ParentWatchdog: standard input ended, the parent process is gone; exiting");
        Runtime.getRuntime().halt(1);
    }
}
