package io.dih.server.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.dih.server.json.Json;
import io.dih.server.security.ForbiddenException;
import io.dih.server.security.UnauthenticatedException;
import io.dih.spi.CapacityExceededException;
import io.dih.spi.ConflictException;
import io.dih.spi.HubException;
import io.dih.spi.InvalidSpecException;
import io.dih.spi.NotFoundException;
import io.dih.spi.TimedOutException;
import io.dih.spi.UnavailableException;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place where errors become HTTP: every failure leaves the gateway as {@code application/problem+json}. */
final class Problems {
    static final String CONTENT_TYPE = "application/problem+json";
    private static final Logger LOG = LoggerFactory.getLogger(Problems.class);

    private Problems() {
    }

    static int status(HubException e) {
        if (e instanceof InvalidSpecException) {
            return 400;
        }
        if (e instanceof NotFoundException) {
            return 404;
        }
        if (e instanceof ConflictException) {
            return 409;
        }
        if (e instanceof CapacityExceededException) {
            return 507;
        }
        if (e instanceof UnavailableException) {
            return 503;
        }
        if (e instanceof io.dih.spi.SourceRejectedException) {
            return 422;
        }
        if (e instanceof TimedOutException) {
            return 408;
        }
        if (e instanceof io.dih.spi.TooManyRequestsException) {
            return 429;
        }
        if (e instanceof UnauthenticatedException) {
            return 401;
        }
        if (e instanceof ForbiddenException) {
            return 403;
        }
        return 500;
    }

    /** The status {@link #handle} answers an exception with. */
    static int statusOf(Exception e) {
        if (e instanceof JsonProcessingException) {
            return 400;
        }
        if (e instanceof HubException he) {
            return status(he);
        }
        return e instanceof HttpResponseException hre ? hre.getStatus() : 500;
    }

    static void handle(Exception e, Context ctx) {
        Problem p;
        if (e instanceof JsonProcessingException jpe) {
            e = Json.toInvalidSpec(jpe, "body");
        }
        if (e instanceof InvalidSpecException ise) {
            p = problem(400, ise.title(), ise.getMessage(), ctx, ise.field(), ise.errors());
        } else if (e instanceof HubException he) {
            p = problem(status(he), he.title(), he.getMessage(), ctx, null, null);
        } else if (e instanceof HttpResponseException hre) {
            p = problem(hre.getStatus(), title(hre.getStatus()), hre.getMessage(), ctx, null, null);
        } else {
            LOG.error("Unhandled error on {} {}", ctx.method(), ctx.path(), e);
            p = problem(500, "Internal error", e.getClass().getSimpleName() + ": " + e.getMessage(), ctx, null, null);
        }
        write(ctx, p);
    }

    static void write(Context ctx, Problem p) {
        try {
            ctx.status(p.status()).contentType(CONTENT_TYPE).result(Json.MAPPER.writeValueAsString(p));
        } catch (JsonProcessingException e) {
            ctx.status(500).result("{\"title\":\"Internal error\",\"status\":500}");
        }
    }

    static Problem problem(int status, String title, String detail, Context ctx, String field, java.util.List<io.dih.spi.FieldError> errors) {
        String slug = title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
        return new Problem("urn:dih:problem:" + slug, title, status, detail, ctx.path(), field, errors);
    }

    static String title(int status) {
        return switch (status) {
            case 400 -> "Invalid request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not found";
            case 405 -> "Method not allowed";
            case 409 -> "Conflict";
            case 408 -> "Request timeout";
            case 413 -> "Request too large";
            case 415 -> "Unsupported media type";
            case 406 -> "Not acceptable";
            case 429 -> "Too many requests";
            case 503 -> "Service unavailable";
            default -> status >= 500 ? "Internal error" : "Request failed";
        };
    }
}
