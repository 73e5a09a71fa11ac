package dev.sidecar.k8s;

import static dev.sidecar.k8s.Manifests.SIDECAR;
import static dev.sidecar.k8s.Manifests.pod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Objects;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;

/** Where the sidecar runs: a native sidecar by default, a regular container with the legacy component. */
class SidecarPlacementTest {

    @Test
    void sidecarIsANativeSidecarInitContainer() {
        PodSpec pod = pod(Manifests.deployment());
        Container sidecar = Objects.requireNonNullElse(pod.getInitContainers(), List.<Container> of()).stream()
                .filter(c -> SIDECAR.equals(c.getName()))
                .findFirst()
                .orElseThrow(() -> new AssertionError(SIDECAR + " must be an init container (a native sidecar)"));
        assertEquals("Always", sidecar.getRestartPolicy(),
                "an init container runs beside the app only with restartPolicy: Always");
        assertTrue(pod.getContainers().stream().noneMatch(c -> SIDECAR.equals(c.getName())),
                SIDECAR + " must not also be a regular container");
    }

    @Test
    void legacyComponentMovesTheSidecarIntoTheRegularContainers() {
        PodSpec pod = pod(Manifests.deploymentWith(Manifests.LEGACY_COMPONENT));
        assertTrue(Objects.requireNonNullElse(pod.getInitContainers(), List.<Container> of()).stream()
                .noneMatch(c -> SIDECAR.equals(c.getName())), "the legacy variant must not keep the sidecar as init container");
        Container sidecar = pod.getContainers().stream()
                .filter(c -> SIDECAR.equals(c.getName()))
                .findFirst()
                .orElseThrow(() -> new AssertionError(SIDECAR + " must be a regular container in the legacy variant"));
        assertNull(sidecar.getRestartPolicy(), "clusters before 1.29 reject restartPolicy on a container");
    }

    @Test
    void legacyComponentUsesNoLifecycleActionOlderClustersLack() {
        PodSpec pod = pod(Manifests.deploymentWith(Manifests.LEGACY_COMPONENT));
        for (Container container : Manifests.containers(pod)) {
            boolean sleeps = container.getLifecycle() != null && container.getLifecycle().getPreStop() != null
                    && container.getLifecycle().getPreStop().getSleep() != null;
            assertTrue(!sleeps, container.getName() + ": the preStop sleep action needs Kubernetes 1.30");
        }
    }
}
