package io.dih.server.node;

import org.apache.ignite.Ignite;
import org.apache.ignite.failure.FailureContext;
import org.apache.ignite.failure.FailureType;
import org.apache.ignite.failure.StopNodeOrHaltFailureHandler;
import org.apache.ignite.internal.mem.IgniteOutOfMemoryException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ignite's default failure handler halts the JVM when a data region fills up. A full region is the caller's
 * problem, not the node's: the write fails with a clear error and the node keeps serving. Every other critical
 * failure still stops the node (Ignite's own judgement), and blocked workers are only logged, as by default.
 */
public final class HubFailureHandler extends StopNodeOrHaltFailureHandler {
    private static final Logger LOG = LoggerFactory.getLogger(HubFailureHandler.class);

    public HubFailureHandler() {
        super(false, 0);
    }

    @Override
    protected boolean handle(Ignite ignite, FailureContext ctx) {
        if (isOutOfMemory(ctx.error())) {
            LOG.warn("A data region is full; the write that hit it fails, the node keeps running [node={}]: {}",
                    ignite.name(), ctx.error().getMessage());
            return false;
        }
        if (ctx.type() == FailureType.SYSTEM_WORKER_BLOCKED || ctx.type() == FailureType.SYSTEM_CRITICAL_OPERATION_TIMEOUT) {
            LOG.warn("Ignite reports {} on node {}: {}", ctx.type(), ignite.name(), ctx.error() == null ? "" : ctx.error().getMessage());
            return false;
        }
        return super.handle(ignite, ctx);
    }

    static boolean isOutOfMemory(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof IgniteOutOfMemoryException) {
                return true;
            }
        }
        return false;
    }
}
