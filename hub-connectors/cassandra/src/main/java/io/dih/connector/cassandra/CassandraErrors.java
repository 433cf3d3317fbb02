package io.dih.connector.cassandra;

import static java.util.Objects.requireNonNull;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.auth.AuthenticationException;
import com.datastax.oss.driver.api.core.servererrors.QueryValidationException;
import io.dih.spi.InvalidSpecException;
import io.dih.spi.SourceRejectedException;
import io.dih.spi.UnavailableException;
import java.util.List;

/**
 * Driver exceptions as the SPI's: a refused login is an {@link InvalidSpecException} on the credentials, a statement
 * the server refuses (unknown column, bad value, too large a batch, no permission) a {@link SourceRejectedException},
 * everything else (no node reachable, timeouts, unavailable replicas) an {@link UnavailableException}. Messages name the
 * contact points and never the password.
 */
final class CassandraErrors {
    private final CassandraConnectorConfig config;

    CassandraErrors(CassandraConnectorConfig config) {
        this.config = requireNonNull(config, "config is null");
    }

    /** The driver's message, with the password cut out should it ever be echoed. */
    String clean(Throwable e) {
        String m = String.valueOf(e.getMessage());
        String p = config.password();
        return p == null || p.isEmpty() ? m : m.replace(p, "******");
    }

    /** A failure to open the session. */
    RuntimeException connect(RuntimeException e) {
        if (e instanceof AllNodesFailedException all) {
            for (List<Throwable> errors : all.getAllErrors().values()) {
                for (Throwable t : errors) {
                    if (t instanceof AuthenticationException) {
                        if (config.username() == null) {
                            return new InvalidSpecException("connection_params.username", "Cassandra at " + config.where()
                                    + " requires authentication: give username and password");
                        }
                        return new InvalidSpecException("connection_params.password", "authentication failed for user '"
                                + config.username() + "' at Cassandra " + config.where());
                    }
                }
            }
        }
        if (e instanceof AuthenticationException) {
            return new InvalidSpecException("connection_params.password", "authentication failed for user '" + config.username()
                    + "' at Cassandra " + config.where());
        }
        return new UnavailableException("connection_params.contact_points", "cannot reach Cassandra at " + config.where() + ": " + clean(e),
                null);
    }

    /** A failure of a statement while {@code what} ("writing to ks.t"). */
    RuntimeException statement(Throwable e, String what) {
        Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof SourceRejectedException || cause instanceof UnavailableException || cause instanceof InvalidSpecException) {
            return (RuntimeException) cause;
        }
        if (cause instanceof QueryValidationException) {
            return new SourceRejectedException("Cassandra at " + config.where() + " refused " + what + ": " + clean(cause), null);
        }
        return new UnavailableException(what + " failed on Cassandra at " + config.where() + ": " + clean(cause), null);
    }
}
