package io.dih.server.query;

import static java.util.Objects.requireNonNull;

import java.util.function.Predicate;

/**
 * Who runs a statement, as far as SQL cares: the operator (no tenant: every table) or a tenant, whose statements may
 * name only the regions' tables it owns ({@link SqlScope}) and whose cursors are its own.
 *
 * @param tenant the tenant, or {@code null} for the operator
 * @param owns   whether a region's table name (as Ignite keeps it, upper case) is the caller's
 */
public record SqlCaller(String tenant, Predicate<String> owns) {
    /** The operator: every table. */
    public static final SqlCaller OPERATOR = new SqlCaller(null, name -> true);

    public SqlCaller {
        requireNonNull(owns, "owns is null");
    }

    public boolean operator() {
        return tenant == null;
    }
}
