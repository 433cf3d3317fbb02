package io.dih.connector.elasticsearch;

import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.transport.TransportException;
import io.dih.spi.HubException;
import io.dih.spi.InvalidSpecException;
import io.dih.spi.SourceRejectedException;
import io.dih.spi.UnavailableException;
import java.io.IOException;
import org.elasticsearch.client.ResponseException;

/**
 * Turns what the client throws into the hub's exceptions. Messages name the nodes ({@code host:port}) and the index,
 * never a credential: the client sends those in a header, and no header is ever quoted.
 */
final class ElasticsearchErrors {
    private final String where;

    ElasticsearchErrors(String where) {
        this.where = where;
    }

    /** The HTTP status of a failure, or -1 when none was answered (the node was not reached). */
    static int status(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ElasticsearchException ee) {
                return ee.status();
            }
            if (t instanceof ResponseException re) {
                return re.getResponse().getStatusLine().getStatusCode();
            }
            if (t instanceof TransportException te && te.statusCode() > 0) {
                return te.statusCode();
            }
        }
        return -1;
    }

    /** The error's type and reason as Elasticsearch gave them ({@code index_not_found_exception: no such index [x]}). */
    static String reason(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ElasticsearchException ee && ee.error() != null) {
                return ee.error().type() + ": " + ee.error().reason();
            }
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    static boolean indexMissing(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ElasticsearchException ee && ee.error() != null && "index_not_found_exception".equals(ee.error().type())) {
                return true;
            }
        }
        return false;
    }

    /**
     * What a failed call means: the index missing ({@link InvalidSpecException} naming {@code indexField}), a bad request
     * ({@link SourceRejectedException}), or the cluster out of reach, refusing the credentials or overloaded
     * ({@link UnavailableException}: retrying later may work).
     */
    RuntimeException translate(Exception e, String what, String index, String indexField) {
        if (e instanceof HubException he) {
            return he;
        }
        int status = status(e);
        if (indexMissing(e)) {
            return new InvalidSpecException(indexField, "index '" + index + "' does not exist in Elasticsearch at " + where);
        }
        if (status == 401) {
            return new UnavailableException("Elasticsearch at " + where + " refused the credentials (401) while trying to " + what);
        }
        if (status == 403) {
            return new UnavailableException("Elasticsearch at " + where + " does not allow the user to " + what + " (403): " + reason(e));
        }
        if (status == 400 || status == 409 || status == 413) {
            return new SourceRejectedException("Elasticsearch at " + where + " refused to " + what + " (" + status + "): " + reason(e), e);
        }
        if (status < 0 && !(e instanceof IOException) && !(e.getCause() instanceof IOException) && !(e instanceof TransportException)) {
            return new IllegalStateException("cannot " + what + " [elasticsearch=" + where + "]: " + reason(e), e);
        }
        String detail = status < 0 ? "cannot be reached" : "answered " + status;
        return new UnavailableException("connection_params.url", "Elasticsearch at " + where + " " + detail + " while trying to " + what + ": "
                + reason(e), e);
    }
}
