package dev.sidecar.k8s;

import static dev.sidecar.k8s.Manifests.applicationContainers;
import static dev.sidecar.k8s.Manifests.containers;
import static dev.sidecar.k8s.Manifests.pod;
import static dev.sidecar.k8s.Manifests.sidecar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;

/**
 * Invariants of the pod that hold in every variant of the deployment: the native sidecar of
 * {@code deployment.yaml} and the regular container that the {@code legacy-sidecar} component renders.
 */
class DeploymentTest {

    /** Resident memory of the native sidecar after load, measured: the request must cover it. */
    private static final BigDecimal NATIVE_RESIDENT_AFTER_LOAD = mebibytes(100);
    /** Time between the end of the drain and the process having exited, plus kubelet's own work. */
    private static final Duration SHUTDOWN_MARGIN = Duration.ofSeconds(5);

    static Stream<Named<Deployment>> variants() {
        return Stream.of(
                Named.of("native sidecar (deployment.yaml)", Manifests.deployment()),
                Named.of("regular container (legacy-sidecar component)", Manifests.deploymentWith(Manifests.LEGACY_COMPONENT)));
    }

    @ParameterizedTest
    @MethodSource("variants")
    void sidecarListensOnTheConfiguredHttpsAndManagementPorts(Deployment deployment) {
        Container sidecar = sidecar(pod(deployment));
        EffectiveConfig config = EffectiveConfig.of(sidecar);

        assertEquals(config.integer("quarkus.http.ssl-port"), port(sidecar, "https"),
                "containerPort 'https' must be the HTTPS port the sidecar listens on");
        assertEquals(config.integer("quarkus.management.port"), port(sidecar, "management"),
                "containerPort 'management' must be the management port the sidecar listens on");
    }

    @ParameterizedTest
    @MethodSource("variants")
    void probesAskTheManagementPortForStartedReadyAndLive(Deployment deployment) {
        Container sidecar = sidecar(pod(deployment));
        int management = EffectiveConfig.of(sidecar).integer("quarkus.management.port");

        assertProbe(sidecar, sidecar.getStartupProbe(), "/q/health/started", management);
        assertProbe(sidecar, sidecar.getReadinessProbe(), "/q/health/ready", management);
        assertProbe(sidecar, sidecar.getLivenessProbe(), "/q/health/live", management);
    }

    @ParameterizedTest
    @MethodSource("variants")
    void mountsTheTlsSecretReadOnlyAsTheDirectoryOfTheCertificateAndKey(Deployment deployment) {
        PodSpec pod = pod(deployment);
        Container sidecar = sidecar(pod);
        EffectiveConfig config = EffectiveConfig.of(sidecar);
        Path cert = Path.of(config.get("sidecar.tls.cert"));
        Path key = Path.of(config.get("sidecar.tls.key"));
        assertEquals(cert.getParent(), key.getParent(), "certificate and key must come from one Secret directory");

        VolumeMount mount = sidecar.getVolumeMounts().stream()
                .filter(m -> Path.of(m.getMountPath()).equals(cert.getParent()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("nothing is mounted at " + cert.getParent()));
        assertEquals(Boolean.TRUE, mount.getReadOnly(), "the TLS mount must be read-only");
        assertTrue(mount.getSubPath() == null || mount.getSubPath().isEmpty(),
                "a subPath mount never sees a rotated certificate");
        assertNull(mount.getSubPathExpr(), "a subPath mount never sees a rotated certificate");

        Volume volume = volume(pod, mount.getName());
        assertNotNull(volume.getSecret(), "the TLS mount must be a Secret volume");
        assertTrue(volume.getSecret().getItems() == null || volume.getSecret().getItems().isEmpty(),
                "mount the whole Secret so that tls.crt and tls.key keep their names");
        assertEquals("tls.crt", cert.getFileName().toString(), "the certificate must be the Secret's tls.crt");
        assertEquals("tls.key", key.getFileName().toString(), "the key must be the Secret's tls.key");
        Integer mode = volume.getSecret().getDefaultMode();
        assertTrue(mode != null && (mode & 0007) == 0,
                "the private key must not be world-readable: defaultMode " + (mode == null ? "unset (0644)" : Integer.toOctalString(mode)));
    }

    @ParameterizedTest
    @MethodSource("variants")
    void noContainerMountsAnythingWithSubPath(Deployment deployment) {
        for (Container container : containers(pod(deployment))) {
            for (VolumeMount mount : Objects.requireNonNullElse(container.getVolumeMounts(), List.<VolumeMount> of())) {
                assertTrue((mount.getSubPath() == null || mount.getSubPath().isEmpty()) && mount.getSubPathExpr() == null,
                        container.getName() + " mounts " + mount.getMountPath() + " with subPath, which never updates");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("variants")
    void gracePeriodCoversPreStopShutdownDelayAndDrain(Deployment deployment) {
        PodSpec pod = pod(deployment);
        EffectiveConfig config = EffectiveConfig.of(sidecar(pod));
        // The sidecar drains in dev.sidecar.Lifecycle with these two settings.
        Duration delay = config.duration("sidecar.shutdown.delay");
        Duration drain = config.duration("sidecar.shutdown.drain-timeout");
        // With a native sidecar the app's preStop runs first, and the sidecar is stopped only after the app exits.
        Duration preStop = Duration.ofSeconds(applicationContainers(pod).stream()
                .mapToLong(DeploymentTest::preStopSleepSeconds).max().orElse(0));
        Duration needed = preStop.plus(delay).plus(drain).plus(SHUTDOWN_MARGIN);

        Long grace = pod.getTerminationGracePeriodSeconds();
        long granted = grace == null ? 30 : grace;
        assertTrue(granted >= needed.toSeconds(), "terminationGracePeriodSeconds " + granted + " must cover preStop "
                + preStop.toSeconds() + "s + delay " + delay.toSeconds() + "s + drain " + drain.toSeconds() + "s + margin "
                + SHUTDOWN_MARGIN.toSeconds() + "s = " + needed.toSeconds() + "s");
    }

    @ParameterizedTest
    @MethodSource("variants")
    void sidecarKeepsServingWhileItsReadinessTurnsDown(Deployment deployment) {
        Duration delay = EffectiveConfig.of(sidecar(pod(deployment))).duration("sidecar.shutdown.delay");
        assertTrue(delay.compareTo(Duration.ofSeconds(1)) >= 0,
                "SIDECAR_SHUTDOWN_DELAY must give endpoints and load balancers time to stop sending traffic, was " + delay);
    }

    @ParameterizedTest
    @MethodSource("variants")
    void everyContainerRunsUnprivilegedWithAReadOnlyRootFilesystem(Deployment deployment) {
        PodSpec pod = pod(deployment);
        PodSecurityContext podContext = pod.getSecurityContext();
        assertNotNull(podContext, "pod securityContext");
        assertEquals(Boolean.TRUE, podContext.getRunAsNonRoot(), "pod runAsNonRoot");
        assertNotEquals(Long.valueOf(0), podContext.getRunAsUser(), "pod runAsUser");
        assertEquals("RuntimeDefault", podContext.getSeccompProfile() == null ? null : podContext.getSeccompProfile().getType(),
                "pod seccompProfile");

        for (Container container : containers(pod)) {
            String name = container.getName() + ": ";
            SecurityContext context = container.getSecurityContext();
            assertNotNull(context, name + "securityContext");
            assertEquals(Boolean.TRUE, context.getRunAsNonRoot(), name + "runAsNonRoot");
            assertNotEquals(Long.valueOf(0), context.getRunAsUser(), name + "runAsUser");
            assertEquals(Boolean.TRUE, context.getReadOnlyRootFilesystem(), name + "readOnlyRootFilesystem");
            assertEquals(Boolean.FALSE, context.getAllowPrivilegeEscalation(), name + "allowPrivilegeEscalation");
            assertNotEquals(Boolean.TRUE, context.getPrivileged(), name + "privileged");
            assertNotNull(context.getCapabilities(), name + "capabilities");
            assertEquals(List.of("ALL"), context.getCapabilities().getDrop(), name + "capabilities.drop");
            assertTrue(context.getCapabilities().getAdd() == null || context.getCapabilities().getAdd().isEmpty(),
                    name + "capabilities.add");
            assertEquals("RuntimeDefault", context.getSeccompProfile() == null ? null : context.getSeccompProfile().getType(),
                    name + "seccompProfile");
        }
    }

    @ParameterizedTest
    @MethodSource("variants")
    void sidecarStartsWithoutWritingToItsFilesystem(Deployment deployment) {
        PodSpec pod = pod(deployment);
        Container sidecar = sidecar(pod);
        boolean writableTmp = Objects.requireNonNullElse(sidecar.getVolumeMounts(), List.<VolumeMount> of()).stream()
                .anyMatch(m -> m.getMountPath().equals("/tmp") && !Boolean.TRUE.equals(m.getReadOnly())
                        && volume(pod, m.getName()).getEmptyDir() != null);
        EffectiveConfig config = EffectiveConfig.of(sidecar);
        // Quarkus defaults both to true; then Vert.x creates a cache directory under java.io.tmpdir at start-up
        // and the sidecar fails to start on a read-only root filesystem (reproduced with the packaged jar).
        boolean noFileCache = !config.bool("quarkus.vertx.caching", true) && !config.bool("quarkus.vertx.classpath-resolving", true);
        assertTrue(writableTmp || noFileCache,
                "with readOnlyRootFilesystem, set QUARKUS_VERTX_CACHING=false and QUARKUS_VERTX_CLASSPATH_RESOLVING=false"
                        + " or mount an emptyDir at /tmp");
    }

    @ParameterizedTest
    @MethodSource("variants")
    void sidecarForwardsToTheApplicationOnLoopbackOnly(Deployment deployment) throws UnknownHostException {
        PodSpec pod = pod(deployment);
        URI upstream = URI.create(EffectiveConfig.of(sidecar(pod)).get("sidecar.upstream"));
        assertTrue(InetAddress.getByName(upstream.getHost()).isLoopbackAddress(),
                "the upstream must be in the pod, on loopback: " + upstream);
        for (Container app : applicationContainers(pod)) {
            assertTrue(app.getPorts() == null || app.getPorts().isEmpty(),
                    app.getName() + " must not declare ports: only the sidecar's HTTPS port is meant to be reached");
        }
    }

    @ParameterizedTest
    @MethodSource("variants")
    void sidecarRequestsTheMemoryItWasMeasuredToUse(Deployment deployment) {
        var resources = sidecar(pod(deployment)).getResources();
        assertNotNull(resources, "sidecar resources");
        Map<String, Quantity> requests = Objects.requireNonNullElse(resources.getRequests(), Map.of());
        Map<String, Quantity> limits = Objects.requireNonNullElse(resources.getLimits(), Map.of());
        assertNotNull(requests.get("cpu"), "requests.cpu");
        assertNotNull(requests.get("memory"), "requests.memory");
        assertNotNull(limits.get("memory"), "limits.memory");

        BigDecimal requested = Quantity.getAmountInBytes(requests.get("memory"));
        BigDecimal limit = Quantity.getAmountInBytes(limits.get("memory"));
        assertTrue(requested.compareTo(NATIVE_RESIDENT_AFTER_LOAD) >= 0,
                "requests.memory must cover the ~100 MiB the native sidecar uses after load");
        assertTrue(limit.compareTo(requested) > 0, "limits.memory must leave headroom above the request");
    }

    @ParameterizedTest
    @MethodSource("variants")
    void metricsAreScrapedFromTheManagementPort(Deployment deployment) {
        Map<String, String> annotations = deployment.getSpec().getTemplate().getMetadata().getAnnotations();
        EffectiveConfig config = EffectiveConfig.of(sidecar(pod(deployment)));
        assertEquals("true", annotations.get("prometheus.io/scrape"));
        assertEquals(String.valueOf(config.integer("quarkus.management.port")), annotations.get("prometheus.io/port"));
        assertEquals("/q/" + config.get("quarkus.micrometer.export.prometheus.path"), annotations.get("prometheus.io/path"));
    }

    @ParameterizedTest
    @MethodSource("variants")
    void podGetsNoServiceLinksAndNoApiToken(Deployment deployment) {
        PodSpec pod = pod(deployment);
        // Service links would inject e.g. SIDECAR_PORT=tcp://... for a Service named "sidecar", which the sidecar
        // reads as its own setting.
        assertEquals(Boolean.FALSE, pod.getEnableServiceLinks(), "enableServiceLinks");
        assertEquals(Boolean.FALSE, pod.getAutomountServiceAccountToken(), "automountServiceAccountToken");
    }

    @ParameterizedTest
    @MethodSource("variants")
    void usesOnlyFieldsTheKubernetesApiKnows(Deployment deployment) {
        List<String> unknown = Manifests.unknownFields(deployment);
        assertTrue(unknown.isEmpty(), "unknown fields: " + unknown);
    }

    private static int port(Container container, String name) {
        return container.getPorts().stream()
                .filter(p -> name.equals(p.getName()))
                .map(ContainerPort::getContainerPort)
                .findFirst()
                .orElseThrow(() -> new AssertionError(container.getName() + " has no containerPort named " + name));
    }

    private static void assertProbe(Container container, Probe probe, String path, int managementPort) {
        assertNotNull(probe, "no probe for " + path);
        assertNotNull(probe.getHttpGet(), path + " must be an httpGet probe");
        assertEquals(path, probe.getHttpGet().getPath());
        String scheme = probe.getHttpGet().getScheme();
        assertTrue(scheme == null || scheme.equals("HTTP"), path + ": the management port speaks plain HTTP");
        IntOrString port = probe.getHttpGet().getPort();
        int number = port.getIntVal() != null ? port.getIntVal() : port(container, port.getStrVal());
        assertEquals(managementPort, number, path + " must be asked on the management port");
    }

    private static long preStopSleepSeconds(Container container) {
        if (container.getLifecycle() == null || container.getLifecycle().getPreStop() == null) {
            return 0;
        }
        var preStop = container.getLifecycle().getPreStop();
        if (preStop.getSleep() != null) {
            return preStop.getSleep().getSeconds();
        }
        if (preStop.getExec() != null) {
            List<String> command = preStop.getExec().getCommand();
            if (command.size() == 2 && command.get(0).equals("sleep")) {
                return Long.parseLong(command.get(1));
            }
            throw new AssertionError(container.getName() + ": cannot tell how long the preStop hook takes: " + command);
        }
        return 0;
    }

    private static Volume volume(PodSpec pod, String name) {
        return pod.getVolumes().stream()
                .filter(v -> v.getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no volume named " + name));
    }

    private static BigDecimal mebibytes(long count) {
        return BigDecimal.valueOf(count * 1024 * 1024);
    }
}
