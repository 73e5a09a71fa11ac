package dev.sidecar.k8s;

import static dev.sidecar.k8s.Manifests.pod;
import static dev.sidecar.k8s.Manifests.sidecar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;

/** The Service: HTTPS to the sidecar and nothing else. */
class ServiceTest {

    @Test
    void exposesOnlyTheSidecarsHttpsPortByName() {
        Service service = Manifests.only("Service").as(Service.class);
        Container sidecar = sidecar(pod(Manifests.deployment()));

        assertEquals(1, service.getSpec().getPorts().size(), "the Service must expose one port: HTTPS");
        ServicePort port = service.getSpec().getPorts().get(0);
        assertEquals("TCP", port.getProtocol() == null ? "TCP" : port.getProtocol());
        assertNotNull(port.getTargetPort().getStrVal(), "targetPort must name the container port, not repeat its number");
        int target = sidecar.getPorts().stream()
                .filter(p -> port.getTargetPort().getStrVal().equals(p.getName()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("targetPort " + port.getTargetPort().getStrVal() + " names no port of the sidecar"))
                .getContainerPort();
        assertEquals(EffectiveConfig.of(sidecar).integer("quarkus.http.ssl-port"), target,
                "the Service must lead to the sidecar's HTTPS port, never to the management or the app's port");
    }

    @Test
    void selectsThePodsOfTheDeployment() {
        Service service = Manifests.only("Service").as(Service.class);
        Deployment deployment = Manifests.deployment();
        Map<String, String> selector = service.getSpec().getSelector();
        Map<String, String> labels = deployment.getSpec().getTemplate().getMetadata().getLabels();

        assertTrue(selector != null && !selector.isEmpty(), "the Service needs a selector");
        assertTrue(labels.entrySet().containsAll(selector.entrySet()),
                "selector " + selector + " does not match the pod labels " + labels);
    }

    @Test
    void usesOnlyFieldsTheKubernetesApiKnows() {
        Manifests.assertNoUnknownFields(Manifests.only("Service"));
    }
}
