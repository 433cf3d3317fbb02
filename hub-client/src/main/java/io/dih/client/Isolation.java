package io.dih.client;

/**
 * The isolation level of a {@link Transaction}. READ_COMMITTED and REPEATABLE_READ (the default) lock rows (pessimistic);
 * SERIALIZABLE locks nothing while it runs and is retried by the hub when another transaction changed a row it read
 * (optimistic). READ_UNCOMMITTED runs as READ_COMMITTED.
 */
public enum Isolation {
    READ_UNCOMMITTED, READ_COMMITTED, REPEATABLE_READ, SERIALIZABLE
}
