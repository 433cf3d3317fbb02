package io.dih.server.security;

import static java.util.Objects.requireNonNull;

import io.dih.spi.TooManyRequestsException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** The subscriptions each tenant holds open on this node, within its {@code max_subscriptions} quota. */
public final class SubscriptionSlots {
    private final Tenants tenants;
    private final Map<String, AtomicInteger> open = new ConcurrentHashMap<>();

    public SubscriptionSlots(Tenants tenants) {
        this.tenants = requireNonNull(tenants, "tenants is null");
    }

    /** A held slot; {@link #release} gives it back (once, however often it is called). */
    public interface Slot {
        void release();
    }

    private static final Slot FREE = () -> { };

    /** Takes a slot for a new subscription of a principal, or refuses it (429) past its tenant's quota. */
    public Slot acquire(Principal p) {
        if (p.operator()) {
            return FREE;
        }
        Integer max = tenants.get(p.tenant()).quotas().maxSubscriptions();
        if (max == null) {
            return FREE;
        }
        AtomicInteger count = open.computeIfAbsent(p.tenant(), t -> new AtomicInteger());
        if (count.incrementAndGet() > max) {
            count.decrementAndGet();
            throw new TooManyRequestsException("tenant '" + p.tenant() + "' holds " + max + " subscriptions on this node, its quota "
                    + "(quotas.max_subscriptions); close one, or subscribe on another node");
        }
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                count.decrementAndGet();
            }
        };
    }
}
