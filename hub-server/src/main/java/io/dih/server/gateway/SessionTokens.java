package io.dih.server.gateway;

import io.dih.spi.InvalidSpecException;
import io.javalin.http.Context;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The session token of SESSION consistency: a client sends it back with its reads and writes. A write that reaches a
 * region fed by a SESSION source and came without one is handed a new token; any request's token is echoed.
 */
final class SessionTokens {
    static final String HEADER = "X-DIH-Session";
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private SessionTokens() {
    }

    /** The request's token, checked before any work is done ({@code null}: none). */
    static String of(Context ctx) {
        String token = ctx.header(HEADER);
        if (token != null && !TOKEN.matcher(token).matches()) {
            throw new InvalidSpecException(HEADER, "a session token is 1 to 128 letters, digits or . _ : -");
        }
        return token;
    }

    /** Echoes {@code token}, or hands out a new one when there is none and the request wrote a SESSION region. */
    static void answer(Context ctx, String token, boolean wroteSessionRegion) {
        String out = token != null ? token : wroteSessionRegion ? UUID.randomUUID().toString() : null;
        if (out != null) {
            ctx.header(HEADER, out);
        }
    }
}
