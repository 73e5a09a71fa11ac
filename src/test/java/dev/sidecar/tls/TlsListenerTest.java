package dev.sidecar.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;

import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import org.junit.jupiter.api.Test;

import dev.sidecar.support.SidecarTestResource;
import io.quarkus.arc.Arc;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;

/** The listener's settings with client authentication off (the default). */
@QuarkusTest
@QuarkusTestResource(value = SidecarTestResource.class, restrictToAnnotatedClass = true)
class TlsListenerTest {

    /**
     * Without a trust manager of its own the server context would load the JDK's CA store on the first
     * connection, to name its ~150 authorities in certificate requests that are never sent.
     */
    @Test
    void namesNoCertificateAuthoritiesWhenNoClientIsAsked() throws Exception {
        HttpServerOptions options = new HttpServerOptions();
        Arc.container().instance(TlsListener.class).get().customizeHttpsServer(options);

        assertEquals(ClientAuth.NONE, options.getClientAuth());
        TrustManager[] managers = options.getTrustOptions()
                .getTrustManagerFactory(Arc.container().instance(Vertx.class).get()).getTrustManagers();
        assertEquals(1, managers.length);
        X509TrustManager trust = (X509TrustManager) managers[0];
        assertEquals(0, trust.getAcceptedIssuers().length);
        X509Certificate[] client = {SidecarTestResource.pki().server("EC").certificate()};
        assertThrows(CertificateException.class, () -> trust.checkClientTrusted(client, "EC"));
    }
}
