package io.dih.server.query;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** A checked transaction request: its operations in order, the isolation asked for, and the time limit. */
record TransactionPlan(List<TxOperation> operations, Isolation isolation, long timeoutMs) {
    TransactionPlan {
        operations = List.copyOf(operations);
        requireNonNull(isolation, "isolation is null");
        if (operations.isEmpty() || timeoutMs <= 0) {
            throw new IllegalArgumentException("a plan has operations and a positive timeout");
        }
    }
}
