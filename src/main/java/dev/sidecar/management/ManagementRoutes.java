package dev.sidecar.management;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.sidecar.Sidecar;
import dev.sidecar.config.SidecarConfig;
import dev.sidecar.tls.CertificateException;
import dev.sidecar.tls.CertificateGeneration;
import dev.sidecar.tls.CertificateReloader;
import dev.sidecar.tls.ReloadingTrustManager;
import io.quarkus.runtime.Quarkus;
import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * The sidecar's own endpoints on the management port. Reading is always on
 * ({@code GET /q/sidecar/certificates}: what is served, never key material); every action that changes
 * state is off unless enabled ({@code POST /q/sidecar/reload}, {@code POST /q/sidecar/shutdown}).
 */
@Singleton
public class ManagementRoutes {

    private static final Logger LOG = Logger.getLogger(ManagementRoutes.class);

    void install(@Observes ManagementInterface management, Sidecar sidecar) {
        CertificateReloader certificates = sidecar.certificates();
        SidecarConfig.Management actions = sidecar.config().management();
        management.router().get("/q/sidecar/certificates").handler(ctx -> json(ctx, 200, describe(certificates)));
        management.router().post("/q/sidecar/reload").handler(ctx -> {
            if (!actions.reloadEnabled()) {
                disabled(ctx, "sidecar.management.reload-enabled");
                return;
            }
            ctx.vertx().executeBlocking(() -> certificates.reloadIfChanged()).onComplete(ar -> {
                CertificateException failure = certificates.lastFailure();
                JsonObject body = new JsonObject().put("reloaded", ar.succeeded() && ar.result());
                if (failure != null) {
                    body.put("error", failure.getMessage());
                }
                json(ctx, failure == null ? 200 : 422, body);
            });
        });
        management.router().post("/q/sidecar/shutdown").handler(ctx -> {
            if (!actions.shutdownEnabled()) {
                disabled(ctx, "sidecar.management.shutdown-enabled");
                return;
            }
            LOG.info("Shutdown requested on the management port");
            json(ctx, 202, new JsonObject().put("shutdown", "started"));
            Quarkus.asyncExit(0);
        });
    }

    private static void disabled(RoutingContext ctx, String key) {
        ctx.response().setStatusCode(404).putHeader("content-type", "text/plain; charset=utf-8")
                .end("disabled; set " + key + "=true to enable this endpoint\n");
    }

    private static void json(RoutingContext ctx, int status, Object body) {
        ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
                .end(body instanceof JsonObject o ? o.encodePrettily() : ((JsonArray) body).encodePrettily());
    }

    static JsonObject describe(CertificateReloader certificates) {
        JsonArray served = new JsonArray();
        boolean first = true;
        for (CertificateGeneration g : certificates.served().generations()) {
            JsonObject leaf = describe(g.leaf()).put("default", first).put("key-type", g.keyType());
            JsonArray chain = new JsonArray();
            for (int i = 1; i < g.chain().length; i++) {
                chain.add(describe(g.chain()[i]));
            }
            served.add(leaf.put("chain", chain));
            first = false;
        }
        JsonObject body = new JsonObject().put("served", served)
                .put("last-reload", certificates.lastSuccess().toString())
                .put("reloads", certificates.successes())
                .put("expiry-warnings", new JsonArray(certificates.expiryWarnings()));
        if (certificates.lastFailure() != null) {
            body.put("last-reload-error", certificates.lastFailure().getMessage());
        }
        ReloadingTrustManager trust = certificates.trustManager();
        if (trust != null) {
            JsonArray cas = new JsonArray();
            for (X509Certificate ca : trust.current().cas()) {
                cas.add(describe(ca));
            }
            body.put("client-cas", cas);
        }
        return body;
    }

    static JsonObject describe(X509Certificate cert) {
        JsonArray sans = new JsonArray();
        try {
            if (cert.getSubjectAlternativeNames() != null) {
                for (List<?> san : cert.getSubjectAlternativeNames()) {
                    sans.add(String.valueOf(san.get(1)));
                }
            }
        } catch (CertificateParsingException e) {
            sans.add("unparsable: " + e.getMessage());
        }
        return new JsonObject()
                .put("subject", cert.getSubjectX500Principal().getName())
                .put("sans", sans)
                .put("issuer", cert.getIssuerX500Principal().getName())
                .put("serial", cert.getSerialNumber().toString(16))
                .put("not-before", cert.getNotBefore().toInstant().toString())
                .put("not-after", cert.getNotAfter().toInstant().toString())
                .put("sha256", fingerprint(cert));
    }

    private static String fingerprint(X509Certificate cert) {
        try {
            return HexFormat.ofDelimiter(":").withUpperCase()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            return "unavailable: " + e.getMessage();
        }
    }
}
