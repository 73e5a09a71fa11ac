package dev.sidecar.k8s;

import static dev.sidecar.k8s.Manifests.pod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.fabric8.kubernetes.api.model.Volume;

/** The cert-manager Certificate: PKCS#8 keys, rotated on renewal, into the Secret the sidecar mounts. */
class CertificateTest {

    private final JsonNode certificate = Manifests.only("Certificate").node();
    private final JsonNode spec = certificate.path("spec");

    @Test
    void writesTheSecretThatTheSidecarMounts() {
        List<String> mounted = new ArrayList<>();
        for (Volume volume : pod(Manifests.deployment()).getVolumes()) {
            if (volume.getSecret() != null) {
                mounted.add(volume.getSecret().getSecretName());
            }
        }
        assertEquals(List.of(spec.path("secretName").asText()), mounted,
                "the Certificate's secretName must be the Secret the deployment mounts");
    }

    @Test
    void issuesPkcs8KeysAndANewKeyOnEveryRenewal() {
        assertEquals("cert-manager.io/v1", certificate.path("apiVersion").asText());
        assertEquals("PKCS8", spec.path("privateKey").path("encoding").asText(), "privateKey.encoding");
        assertEquals("Always", spec.path("privateKey").path("rotationPolicy").asText(), "privateKey.rotationPolicy");
    }

    @Test
    void renewsWellBeforeExpiry() {
        Duration duration = goDuration(spec.path("duration").asText("2160h"));
        Duration renewBefore = goDuration(spec.path("renewBefore").asText());
        assertTrue(renewBefore.compareTo(Duration.ofDays(1)) >= 0 && renewBefore.compareTo(duration) < 0,
                "renewBefore must leave days to notice a failed renewal and be shorter than the duration");
    }

    @Test
    void namesTheServiceTheClientsConnectTo() {
        String service = Manifests.only("Service").name();
        List<String> names = new ArrayList<>();
        spec.path("dnsNames").forEach(n -> names.add(n.asText()));
        assertTrue(names.contains(service), "dnsNames " + names + " must include the Service name " + service);
        assertTrue(names.stream().anyMatch(n -> n.startsWith(service + ".") && n.endsWith(".svc")),
                "dnsNames must include <service>.<namespace>.svc");
        assertTrue(spec.path("usages").toString().contains("server auth"), "usages must include server auth");
    }

    /** cert-manager durations are Go durations; the manifests use hours and minutes. */
    private static Duration goDuration(String text) {
        if (!text.matches("(\\d+h)?(\\d+m)?(\\d+s)?") || text.isEmpty()) {
            throw new AssertionError("unsupported duration " + text);
        }
        return Duration.parse("PT" + text.toUpperCase());
    }
}
