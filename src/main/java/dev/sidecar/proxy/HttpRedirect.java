package dev.sidecar.proxy;

import java.util.regex.Pattern;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.sidecar.Sidecar;
import dev.sidecar.config.SidecarConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

/**
 * The optional plain-HTTP listener ({@code sidecar.http-redirect.port}): answers every request with a 308 to the
 * same path and query over HTTPS and forwards nothing. 308 rather than 301 keeps the method and body of a POST.
 */
@Singleton
public class HttpRedirect {

    private static final Logger LOG = Logger.getLogger(HttpRedirect.class);
    /** A host name, an IPv4 address or a bracketed IPv6 address; anything else could inject into Location. */
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}\\]");

    private HttpServer server;

    void start(@Observes StartupEvent event, Sidecar sidecar, Vertx vertx) {
        SidecarConfig.HttpRedirect config = sidecar.config().httpRedirect();
        if (config.port().isEmpty()) {
            return;
        }
        int httpsPort = config.httpsPort();
        server = vertx.createHttpServer(new HttpServerOptions()
                .setPort(config.port().getAsInt())
                .setIdleTimeout((int) sidecar.config().timeouts().idle().toSeconds())
                .setMaxInitialLineLength(sidecar.config().limits().maxRequestLine())
                .setMaxHeaderSize(sidecar.config().limits().maxHeaderSize()))
                .requestHandler(request -> redirect(request, httpsPort));
        server.listen().toCompletionStage().toCompletableFuture().join();
        LOG.infof("HTTP redirect listener on port %d -> https port %d", server.actualPort(), httpsPort);
    }

    /** The redirect target for {@code host} (a Host header, port allowed) and {@code uri}, or null if the host is unusable. */
    static String location(String host, String uri, int httpsPort) {
        if (host == null) {
            return null;
        }
        int colon = host.lastIndexOf(':');
        String name = colon > host.lastIndexOf(']') ? host.substring(0, colon) : host;
        if (!HOST.matcher(name).matches() || uri.isEmpty() || uri.charAt(0) != '/') {
            return null;
        }
        return "https://" + name + (httpsPort == 443 ? "" : ":" + httpsPort) + uri;
    }

    private static void redirect(HttpServerRequest request, int httpsPort) {
        String target = location(request.getHeader("host"), request.uri(), httpsPort);
        if (target == null) {
            request.response().setStatusCode(400).putHeader("connection", "close")
                    .putHeader("content-type", "text/plain; charset=utf-8")
                    .end("400 Bad Request: a Host header and a path are required\n");
            return;
        }
        request.response().setStatusCode(308).putHeader("location", target).putHeader("content-length", "0")
                .end();
    }

    void stop(@Observes ShutdownEvent event) {
        if (server != null) {
            server.close();
        }
    }
}
