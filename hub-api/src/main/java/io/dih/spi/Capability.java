package io.dih.spi;

/** What a connector can do, declared up front so the hub never probes with instanceof. */
public enum Capability {
    /** Stream every row (or every row past a watermark) into a region: {@link Connector#load}. */
    BULK_LOAD,
    /** Fetch one row by key on a cache miss: {@link Connector#read}. */
    READ_THROUGH,
    /** Apply writes synchronously, inside the hub's transaction: {@link Connector#write}. */
    WRITE_THROUGH,
    /** Accept batched, retried writes from the hub's durable write-behind queue: {@link Connector#write}. */
    WRITE_BEHIND,
    /** Emit a change feed (CDC). */
    CHANGE_FEED,
    /** Consume a message stream as one member of a consumer group: {@link Connector#stream}, {@link Connector#backlog}. */
    STREAM
}
