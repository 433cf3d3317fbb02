package io.dih.server.gateway;

import static java.util.Objects.requireNonNull;

import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.router.JavalinDefaultRouting;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The gateway's route table: routes are declared here, then registered with Javalin at once ({@link #mount}); the
 * table remembers (method, path template) so a request that matched no route can be told which methods its path does
 * have (a 405 with {@code Allow}) instead of a 404. Templates use Javalin's {@code {param}} segments (one segment) and
 * {@code <param>} (one or more, slashes included).
 */
final class Routes {
    private record Route(HandlerType method, String template, List<String> segments, Access access, Handler handler) {
    }

    private final List<Route> routes = new ArrayList<>();

    Routes get(String template, Access access, Handler handler) {
        return add(HandlerType.GET, template, requireNonNull(access, "access is null"), requireNonNull(handler, "handler is null"));
    }

    Routes post(String template, Access access, Handler handler) {
        return add(HandlerType.POST, template, requireNonNull(access, "access is null"), requireNonNull(handler, "handler is null"));
    }

    Routes put(String template, Access access, Handler handler) {
        return add(HandlerType.PUT, template, requireNonNull(access, "access is null"), requireNonNull(handler, "handler is null"));
    }

    Routes patch(String template, Access access, Handler handler) {
        return add(HandlerType.PATCH, template, requireNonNull(access, "access is null"), requireNonNull(handler, "handler is null"));
    }

    Routes delete(String template, Access access, Handler handler) {
        return add(HandlerType.DELETE, template, requireNonNull(access, "access is null"), requireNonNull(handler, "handler is null"));
    }

    /** Remembers a route registered by other means (a plugin's, such as the OpenAPI document); {@link #mount} skips it. */
    Routes known(HandlerType method, String template) {
        return add(method, template, Access.open(), null);
    }

    private Routes add(HandlerType method, String template, Access access, Handler handler) {
        requireNonNull(method, "method is null");
        requireNonNull(template, "template is null");
        routes.add(new Route(method, template, segments(template), access, handler));
        return this;
    }

    /** Registers every declared route's handler with Javalin's router, behind the guard of its access. */
    void mount(JavalinDefaultRouting router, AccessGuard guard) {
        requireNonNull(router, "router is null");
        for (Route r : routes) {
            if (r.handler() != null) {
                router.addHttpHandler(r.method(), r.template(), guard.guard(r.method(), r.access(), r.handler()));
            }
        }
    }

    /** The methods some route has for this concrete path, in {@link HandlerType} order; empty: an unknown path. */
    Set<HandlerType> allowed(String path) {
        List<String> concrete = segments(requireNonNull(path, "path is null"));
        Set<HandlerType> out = new TreeSet<>();
        for (Route r : routes) {
            if (matches(r.segments(), concrete)) {
                out.add(r.method());
            }
        }
        return out;
    }

    /** The value of an {@code Allow} header: {@code GET, POST}. */
    static String allowHeader(Set<HandlerType> methods) {
        return methods.stream().map(HandlerType::name).collect(Collectors.joining(", "));
    }

    private static boolean matches(List<String> template, List<String> concrete) {
        return matches(template, 0, concrete, 0);
    }

    /** {@code {param}} matches one segment, {@code <param>} one or more (Javalin's slash-accepting parameter). */
    private static boolean matches(List<String> template, int t, List<String> concrete, int c) {
        if (t == template.size()) {
            return c == concrete.size();
        }
        if (c == concrete.size()) {
            return false;
        }
        String seg = template.get(t);
        if (seg.startsWith("<") && seg.endsWith(">")) {
            for (int end = c + 1; end <= concrete.size(); end++) {
                if (matches(template, t + 1, concrete, end)) {
                    return true;
                }
            }
            return false;
        }
        boolean param = seg.startsWith("{") && seg.endsWith("}");
        return (param || seg.equals(concrete.get(c))) && matches(template, t + 1, concrete, c + 1);
    }

    private static List<String> segments(String path) {
        List<String> out = new ArrayList<>();
        for (String s : path.split("/")) {
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return out;
    }
}
