package io.dih.server.node;

import static java.util.Objects.requireNonNull;

import org.apache.ignite.IgniteLogger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ignite's log through SLF4J, with the level logback gives it and nothing printed past it. Ignite's own
 * {@code Slf4jLogger} prints its start-up report straight to stdout when INFO is off ("quiet" mode), and turns each
 * INFO message that Ignite did not guard into a warning; a node at WARN should print neither.
 */
final class HubIgniteLogger implements IgniteLogger {
    private final Logger impl;

    HubIgniteLogger() {
        this(LoggerFactory.getLogger("org.apache.ignite"));
    }

    private HubIgniteLogger(Logger impl) {
        this.impl = requireNonNull(impl, "impl is null");
    }

    @Override
    public IgniteLogger getLogger(Object ctgr) {
        if (ctgr == null) {
            return new HubIgniteLogger(LoggerFactory.getLogger(""));
        }
        if (ctgr instanceof Class<?> c) {
            return new HubIgniteLogger(LoggerFactory.getLogger(c.getName()));
        }
        return new HubIgniteLogger(LoggerFactory.getLogger(ctgr.toString()));
    }

    @Override
    public void trace(String msg) {
        impl.trace(msg);
    }

    @Override
    public void debug(String msg) {
        impl.debug(msg);
    }

    @Override
    public void info(String msg) {
        impl.info(msg);
    }

    @Override
    public void warning(String msg, Throwable e) {
        impl.warn(msg, e);
    }

    @Override
    public void error(String msg, Throwable e) {
        impl.error(msg, e);
    }

    @Override
    public boolean isTraceEnabled() {
        return impl.isTraceEnabled();
    }

    @Override
    public boolean isDebugEnabled() {
        return impl.isDebugEnabled();
    }

    @Override
    public boolean isInfoEnabled() {
        return impl.isInfoEnabled();
    }

    /** Never quiet: Ignite's quiet mode prints to stdout past the logger; here its report is INFO like the rest. */
    @Override
    public boolean isQuiet() {
        return false;
    }

    @Override
    public String fileName() {
        return null;
    }
}
