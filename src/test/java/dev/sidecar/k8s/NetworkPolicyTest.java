package dev.sidecar.k8s;

import static dev.sidecar.k8s.Manifests.pod;
import static dev.sidecar.k8s.Manifests.sidecar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;

/** The NetworkPolicy: HTTPS for clients, the management port for the namespace and monitoring, nothing else. */
class NetworkPolicyTest {

    private final NetworkPolicy policy = Manifests.only("NetworkPolicy").as(NetworkPolicy.class);
    private final Container sidecar = sidecar(pod(Manifests.deployment()));
    private final EffectiveConfig config = EffectiveConfig.of(sidecar);

    @Test
    void selectsThePodsOfTheDeployment() {
        Map<String, String> selector = policy.getSpec().getPodSelector().getMatchLabels();
        Map<String, String> labels = Manifests.deployment().getSpec().getTemplate().getMetadata().getLabels();
        assertTrue(selector != null && !selector.isEmpty(), "an empty podSelector would apply to every pod of the namespace");
        assertTrue(labels.entrySet().containsAll(selector.entrySet()), "podSelector " + selector + " misses the pods " + labels);
        assertTrue(policy.getSpec().getPolicyTypes().contains("Ingress"), "policyTypes must include Ingress");
    }

    @Test
    void admitsIngressOnlyToTheHttpsAndManagementPorts() {
        Set<Integer> admitted = new HashSet<>();
        for (NetworkPolicyIngressRule rule : policy.getSpec().getIngress()) {
            assertTrue(rule.getPorts() != null && !rule.getPorts().isEmpty(), "a rule without ports admits every port");
            for (NetworkPolicyPort port : rule.getPorts()) {
                assertEquals(null, port.getEndPort(), "no port ranges");
                admitted.add(number(port.getPort()));
            }
        }
        assertEquals(Set.of(config.integer("quarkus.http.ssl-port"), config.integer("quarkus.management.port")), admitted);
    }

    @Test
    void admitsTheManagementPortOnlyFromTheNamespaceAndMonitoring() {
        int management = config.integer("quarkus.management.port");
        boolean found = false;
        for (NetworkPolicyIngressRule rule : policy.getSpec().getIngress()) {
            if (rule.getPorts().stream().noneMatch(p -> number(p.getPort()) == management)) {
                continue;
            }
            found = true;
            List<NetworkPolicyPeer> from = rule.getFrom();
            assertTrue(from != null && !from.isEmpty(), "the management port must not be open to everyone");
            for (NetworkPolicyPeer peer : from) {
                assertEquals(null, peer.getIpBlock(), "no address ranges for the management port");
                boolean sameNamespace = peer.getNamespaceSelector() == null && peer.getPodSelector() != null;
                boolean namedNamespace = peer.getNamespaceSelector() != null
                        && peer.getNamespaceSelector().getMatchLabels() != null
                        && peer.getNamespaceSelector().getMatchLabels().containsKey("kubernetes.io/metadata.name");
                assertTrue(sameNamespace || namedNamespace,
                        "management peers must be this namespace or a namespace named explicitly: " + peer);
            }
        }
        assertTrue(found, "the management port must be admitted for probes from monitoring");
    }

    @Test
    void admitsHttpsFromAnyClient() {
        int https = config.integer("quarkus.http.ssl-port");
        assertTrue(policy.getSpec().getIngress().stream()
                .anyMatch(rule -> (rule.getFrom() == null || rule.getFrom().isEmpty())
                        && rule.getPorts().stream().anyMatch(p -> number(p.getPort()) == https)),
                "HTTPS must be open to clients, ingress controllers and load balancers");
    }

    @Test
    void usesOnlyFieldsTheKubernetesApiKnows() {
        Manifests.assertNoUnknownFields(Manifests.only("NetworkPolicy"));
    }

    /** A policy port by number or by the name of one of the sidecar's container ports. */
    private int number(IntOrString port) {
        assertNotNull(port, "a policy port without a number admits every port");
        if (port.getIntVal() != null) {
            return port.getIntVal();
        }
        return sidecar.getPorts().stream()
                .filter(p -> port.getStrVal().equals(p.getName()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("port " + port.getStrVal() + " names no port of the sidecar"))
                .getContainerPort();
    }
}
