package dev.sidecar.proxy;

import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.util.Base64;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

import io.vertx.core.MultiMap;

/**
 * RFC 9440: the client's certificate goes to the application as {@code Client-Cert} (the leaf) and
 * {@code Client-Cert-Chain} (the rest), each a structured-field byte sequence of the DER encoding. Encoded
 * once per TLS session and kept in it, since every request on a connection carries the same identity.
 */
public final class ClientCertHeaders {

    private static final String CACHE_KEY = "sidecar.client-cert-headers";

    private ClientCertHeaders() {
    }

    /** Adds the headers for the client of {@code session}, if it presented a certificate. */
    public static void apply(SSLSession session, MultiMap to) {
        if (session == null) {
            return;
        }
        String[] headers = (String[]) session.getValue(CACHE_KEY);
        if (headers == null) {
            headers = encode(session);
            session.putValue(CACHE_KEY, headers);
        }
        if (headers.length > 0) {
            to.set("client-cert", headers[0]);
            if (!headers[1].isEmpty()) {
                to.set("client-cert-chain", headers[1]);
            }
        }
    }

    static String[] encode(SSLSession session) {
        Certificate[] chain;
        try {
            chain = session.getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            return new String[0]; // no client certificate
        }
        try {
            Base64.Encoder b64 = Base64.getEncoder();
            StringBuilder rest = new StringBuilder();
            for (int i = 1; i < chain.length; i++) {
                if (i > 1) {
                    rest.append(", ");
                }
                rest.append(':').append(b64.encodeToString(chain[i].getEncoded())).append(':');
            }
            return new String[] { ':' + b64.encodeToString(chain[0].getEncoded()) + ':', rest.toString() };
        } catch (CertificateEncodingException e) {
            return new String[0];
        }
    }
}
