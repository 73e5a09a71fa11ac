package dev.sidecar.tls;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Which client certificates are accepted: issued by the client CA bundle and, when allow-lists are set,
 * matching one of the allowed subject CNs, DNS SANs, URI SANs (e.g. SPIFFE IDs) or OUs. Immutable; one
 * generation of the client CA.
 *
 * @param cas      the CA certificates
 * @param verifier the JDK's PKIX verifier over {@code cas}
 * @param allow    the allow-lists; all empty means any certificate the CAs issued
 * @param hash     content hash of the CA file
 */
public record ClientTrust(List<X509Certificate> cas, X509ExtendedTrustManager verifier, AllowList allow,
        byte[] hash) {

    /** Identities a client certificate may have; empty lists mean "no restriction of this kind". */
    public record AllowList(List<String> cns, List<String> dnsNames, List<String> uris, List<String> ous) {

        /** Whether no list is set. */
        public boolean isOpen() {
            return cns.isEmpty() && dnsNames.isEmpty() && uris.isEmpty() && ous.isEmpty();
        }

        /** Whether {@code leaf} matches any entry of any list. */
        public boolean permits(X509Certificate leaf) {
            if (isOpen()) {
                return true;
            }
            try {
                for (Rdn rdn : new LdapName(leaf.getSubjectX500Principal().getName()).getRdns()) {
                    String type = rdn.getType().toUpperCase(Locale.ROOT);
                    String value = String.valueOf(rdn.getValue());
                    if ("CN".equals(type) && cns.contains(value) || "OU".equals(type) && ous.contains(value)) {
                        return true;
                    }
                }
                var sans = leaf.getSubjectAlternativeNames();
                if (sans != null) {
                    for (List<?> san : sans) {
                        int kind = (Integer) san.get(0);
                        String value = String.valueOf(san.get(1));
                        if (kind == 2 && dnsNames.stream().anyMatch(value::equalsIgnoreCase)
                                || kind == 6 && uris.contains(value)) {
                            return true;
                        }
                    }
                }
            } catch (InvalidNameException | CertificateParsingException e) {
                return false;
            }
            return false;
        }
    }

    /** Parses a PEM bundle of CA certificates and builds the verifier. */
    public static ClientTrust load(Path path, byte[] pem, AllowList allow) throws CertificateException {
        X509Certificate[] cas = CertificateLoader.parseChain(path, pem);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < cas.length; i++) {
                store.setCertificateEntry("ca-" + i, cas[i]);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
            factory.init(store);
            for (TrustManager tm : factory.getTrustManagers()) {
                if (tm instanceof X509ExtendedTrustManager x) {
                    return new ClientTrust(List.of(cas), x, allow, CertificateLoader.sha256(pem));
                }
            }
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new CertificateException(path, "parse", "cannot build a trust store from the client CA bundle ("
                    + e.getMessage() + ")");
        }
        throw new CertificateException(path, "parse", "the JDK offers no X.509 trust manager");
    }
}
