package jp.inkan.deploy;

import static jp.inkan.deploy.DeployFiles.at;
import static jp.inkan.deploy.DeployFiles.list;
import static jp.inkan.deploy.DeployFiles.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import jp.inkan.common.relyingparty.RegistryTopic;
import jp.inkan.common.relyingparty.UsageTopic;
import jp.inkan.testing.TempDirs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Renders every overlay with `kubectl kustomize` (kustomize v5, as `kubectl apply -k` would) and
 * checks the objects offline: API schemas (KubernetesSchema), and that they fit together and fit
 * the services' configuration: probes, ports, references, selectors, network policies, Kafka and
 * PostgreSQL names. Secrets are generated from files no one commits: the local overlay's by
 * deploy/compose/secrets.sh, the production overlay's by placeholders, both in a copy of k8s/.
 */
class KustomizeTest {

    private static final Path REPO = ServiceConfig.repo();
    private static final Map<String, List<Map<String, Object>>> RENDERED = new ConcurrentHashMap<>();
    private static Path workDir;

    @BeforeAll
    static void kustomizeIsThere() throws IOException {
        var version = DeployFiles.run(Map.of(), "sh", "-c", "command -v kubectl >/dev/null || { echo 'kubectl not found'; exit 127; }; kubectl version --client -o json");
        if (version.exitCode() != 0) {
            fail("kubectl with kustomize v5 is needed to render k8s/ (kubectl >= 1.27; Debian bookworm's kubernetes-client 1.20 "
                    + "embeds kustomize v2, which has no 'labels' field or components): " + version.output());
        }
        String kustomize = String.valueOf(new ObjectMapper().readTree(version.output().substring(version.output().indexOf('{')))
                .path("kustomizeVersion").asText());
        assertTrue(kustomize.matches("v([5-9]|\\d{2,})\\..*"), "kustomize v5 or newer needed, kubectl has " + kustomize);
        workDir = TempDirs.create("inkan-k8s");
    }

    static List<Map<String, Object>> rendered(String overlay) {
        return RENDERED.computeIfAbsent(overlay, KustomizeTest::render);
    }

    private static List<Map<String, Object>> render(String overlay) {
        try {
            Path copy = workDir.resolve(overlay).resolve("k8s");
            try (Stream<Path> files = Files.walk(REPO.resolve("k8s"))) {
                for (Path source : (Iterable<Path>) files::iterator) {
                    Path relative = REPO.resolve("k8s").relativize(source);
                    if (relative.toString().contains("secrets")) {
                        continue;
                    }
                    Path target = copy.resolve(relative.toString());
                    if (Files.isDirectory(source)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(source, target);
                    }
                }
            }
            Path overlayDir = copy.resolve("overlays").resolve(overlay);
            if (overlay.equals("local")) {
                var made = DeployFiles.run(Map.of(), "bash", REPO.resolve("deploy/compose/secrets.sh").toString(),
                        overlayDir.resolve("secrets").toString());
                assertEquals(0, made.exitCode(), made.output());
            } else {
                for (Object generator : list(DeployFiles.yaml(overlayDir.resolve("kustomization.yaml")), "secretGenerator")) {
                    for (Object file : list(generator, "files")) {
                        Path placeholder = overlayDir.resolve(((String) file).replaceAll("^[^=]*=", ""));
                        Files.createDirectories(placeholder.getParent());
                        Files.writeString(placeholder, "placeholder: the deploy pipeline writes this from the secret store\n");
                    }
                }
            }
            var run = DeployFiles.run(Map.of(), "kubectl", "kustomize", overlayDir.toString());
            assertEquals(0, run.exitCode(), "kubectl kustomize k8s/overlays/" + overlay + ":\n" + run.output());
            return DeployFiles.yamlDocuments(run.output());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Map<String, Object>> ofKind(String overlay, String kind) {
        return rendered(overlay).stream().filter(o -> kind.equals(o.get("kind"))).toList();
    }

    private static Map<String, Object> named(String overlay, String kind, String name) {
        return ofKind(overlay, kind).stream().filter(o -> name.equals(at(o, "metadata", "name"))).findFirst()
                .orElseThrow(() -> new AssertionError(overlay + ": no " + kind + " " + name));
    }

    private static String name(Map<String, Object> object) {
        return at(object, "metadata", "name");
    }

    /** The kinds that run a service's pods. */
    private static final List<String> WORKLOAD_KINDS = List.of("Deployment", "StatefulSet");

    /** Every Deployment and StatefulSet. */
    private static List<Map<String, Object>> workloads(String overlay) {
        return rendered(overlay).stream().filter(o -> WORKLOAD_KINDS.contains(o.get("kind"))).toList();
    }

    /** The one workload, Deployment or StatefulSet, running {@code service}. */
    private static Map<String, Object> workload(String overlay, String service) {
        List<Map<String, Object>> found = workloads(overlay).stream().filter(o -> service.equals(name(o))).toList();
        assertEquals(1, found.size(), overlay + ": one Deployment or StatefulSet " + service + ", found "
                + found.stream().map(o -> o.get("kind")).toList());
        return found.get(0);
    }

    /**
     * A workload's volumes by name: the pod's, plus a StatefulSet's volumeClaimTemplates (as
     * {@code {name, volumeClaimTemplate}}), which its pods mount by the template's name.
     */
    private static Map<String, Map<String, Object>> volumes(Map<String, Object> workload) {
        Map<String, Map<String, Object>> volumes = new LinkedHashMap<>();
        list(workload, "spec", "template", "spec", "volumes").forEach(v -> volumes.put((String) map(v).get("name"), map(v)));
        for (Object template : list(workload, "spec", "volumeClaimTemplates")) {
            String claim = at(template, "metadata", "name");
            volumes.putIfAbsent(claim, Map.of("name", claim, "volumeClaimTemplate", template));
        }
        return volumes;
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "production"})
    void everyObjectMatchesItsApiSchema(String overlay) {
        List<String> problems = new ArrayList<>();
        for (Map<String, Object> object : rendered(overlay)) {
            problems.addAll(KubernetesSchema.check(object));
            if (!"Namespace".equals(object.get("kind"))) {
                assertEquals("inkan", at(object, "metadata", "namespace"), name(object));
            }
        }
        assertEquals(List.of(), problems);
        Set<String> kinds = new TreeSet<>();
        rendered(overlay).forEach(o -> kinds.add((String) o.get("kind")));
        assertTrue(kinds.containsAll(Set.of("Deployment", "StatefulSet", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget",
                "NetworkPolicy", "Secret", "ConfigMap", "Kafka", "KafkaNodePool", "KafkaTopic", "Cluster")), kinds.toString());
    }

    @Test
    void theSchemaCheckRefusesWhatTheApiDoesNotHave() {
        Map<String, Object> deployment = new LinkedHashMap<>(workload("local", "ca-service"));
        Map<String, Object> spec = new LinkedHashMap<>(map(deployment, "spec"));
        spec.put("replica", 2);
        deployment.put("spec", spec);
        assertFalse(KubernetesSchema.check(deployment).isEmpty(), "a misspelt field");
        // The same for a StatefulSet, at its own level and inside its claim template and retention policy.
        Map<String, Object> statefulSet = named("local", "StatefulSet", "ocsp-responder");
        assertEquals(List.of(), KubernetesSchema.check(statefulSet));
        Map<List<Object>, String> misspelt = Map.of(
                List.of("spec"), "volumeClaimTemplate",
                List.of("spec", "persistentVolumeClaimRetentionPolicy"), "whenDelete",
                List.of("spec", "volumeClaimTemplates", 0, "spec"), "storageClass");
        misspelt.forEach((path, field) -> {
            Map<String, Object> broken = deepCopy(statefulSet);
            Map<String, Object> where = at(broken, path.toArray());
            where.put(field, "Retain");
            assertFalse(KubernetesSchema.check(broken).isEmpty(), "StatefulSet " + path + "." + field);
        });
        Map<String, Object> topic = new LinkedHashMap<>(named("local", "KafkaTopic", "inkan.certificate-events"));
        topic.put("spec", Map.of("partitions", "many"));
        assertFalse(KubernetesSchema.check(topic).isEmpty(), "a wrong type");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> deepCopy(Map<String, Object> object) {
        try {
            ObjectMapper mapper = new ObjectMapper();
            return mapper.readValue(mapper.writeValueAsBytes(object), Map.class);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "production"})
    void eachServiceRunsWithProbesOnItsManagementPortAndBoundedResources(String overlay) {
        for (ServiceConfig service : ServiceConfig.all()) {
            Map<String, Object> deployment = workload(overlay, service.name());
            Map<String, Object> container = map(deployment, "spec", "template", "spec", "containers", 0);
            Map<String, Integer> ports = new HashMap<>();
            list(container, "ports").forEach(p -> ports.put((String) map(p).get("name"), (Integer) map(p).get("containerPort")));
            for (int port : service.ports()) {
                assertTrue(ports.containsValue(port), service.name() + " declares its port " + port);
            }
            for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
                Object port = at(container, probe, "httpGet", "port");
                Integer number = port instanceof Integer i ? i : ports.get(String.valueOf(port));
                assertEquals(service.managementPort(), number, overlay + " " + service.name() + " " + probe + " port " + port);
            }
            assertEquals("/q/health/live", at(container, "livenessProbe", "httpGet", "path"));
            assertEquals("/q/health/ready", at(container, "readinessProbe", "httpGet", "path"));
            for (String bound : List.of("requests", "limits")) {
                assertNotNull(at(container, "resources", bound, "cpu"), service.name() + " cpu " + bound);
                assertNotNull(at(container, "resources", bound, "memory"), service.name() + " memory " + bound);
            }
            String image = (String) container.get("image");
            assertTrue(image.matches("(.+/)?inkan/" + service.name() + ":[\\w.-]+"), image);
            for (Object init : list(deployment, "spec", "template", "spec", "initContainers")) {
                String initImage = (String) map(init).get("image");
                assertTrue(initImage.matches("(.+/)?inkan/(hsm-init|" + service.name() + "):[\\w.-]+")
                        || overlay.equals("production"), initImage);
            }
            Map<String, Object> k8sService = named(overlay, "Service", service.name());
            assertEquals(map(deployment, "spec", "selector", "matchLabels"), map(k8sService, "spec", "selector"));
            for (Object port : list(k8sService, "spec", "ports")) {
                Object target = map(port).get("targetPort");
                assertTrue(ports.containsKey(String.valueOf(target)) || ports.containsValue(target), service.name() + " Service targets " + target);
                assertEquals(ports.get(String.valueOf(target)), map(port).get("port"), "Service port = container port, so URLs keep their port");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "production"})
    void everyReferencedSecretAndConfigMapExists(String overlay) {
        Set<String> secrets = new TreeSet<>();
        ofKind(overlay, "Secret").forEach(s -> secrets.add(name(s)));
        // CloudNativePG makes <cluster>-app (the owner's credentials) for each Cluster.
        ofKind(overlay, "Cluster").forEach(c -> secrets.add(name(c) + "-app"));
        Set<String> configMaps = new TreeSet<>();
        ofKind(overlay, "ConfigMap").forEach(c -> configMaps.add(name(c)));
        List<String> missing = new ArrayList<>();
        for (Map<String, Object> deployment : workloads(overlay)) {
            Map<String, Object> pod = map(deployment, "spec", "template", "spec");
            Set<String> volumeNames = volumes(deployment).keySet();
            for (Object volume : list(pod, "volumes")) {
                String secret = at(volume, "secret", "secretName");
                String configMap = at(volume, "configMap", "name");
                if (secret != null && !secrets.contains(secret)) {
                    missing.add(name(deployment) + ": Secret " + secret);
                }
                if (configMap != null && !configMaps.contains(configMap)) {
                    missing.add(name(deployment) + ": ConfigMap " + configMap);
                }
            }
            for (Object container : containers(pod)) {
                for (Object from : list(container, "envFrom")) {
                    String configMap = at(from, "configMapRef", "name");
                    if (configMap != null && !configMaps.contains(configMap)) {
                        missing.add(name(deployment) + ": ConfigMap " + configMap);
                    }
                }
                for (Object mount : list(container, "volumeMounts")) {
                    String volume = (String) map(mount).get("name");
                    if (!volumeNames.contains(volume)) {
                        missing.add(name(deployment) + ": volume " + volume);
                    }
                }
            }
            for (Object volume : list(pod, "volumes")) {
                String claim = at(volume, "persistentVolumeClaim", "claimName");
                if (claim != null && ofKind(overlay, "PersistentVolumeClaim").stream().noneMatch(c -> claim.equals(name(c)))) {
                    missing.add(name(deployment) + ": PersistentVolumeClaim " + claim);
                }
            }
        }
        assertEquals(List.of(), missing);
    }

    private static List<Object> containers(Map<String, Object> pod) {
        List<Object> all = new ArrayList<>(list(pod, "initContainers"));
        all.addAll(list(pod, "containers"));
        return all;
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "production"})
    void eachContainerGetsWhatItsServiceConfigurationReads(String overlay) {
        Map<String, Map<String, Object>> secretData = new HashMap<>();
        ofKind(overlay, "Secret").forEach(s -> secretData.put(name(s), map(s, "data")));
        ofKind(overlay, "Cluster").forEach(c -> secretData.put(name(c) + "-app", Map.of("username", "", "password", "")));
        Map<String, Map<String, Object>> configData = new HashMap<>();
        ofKind(overlay, "ConfigMap").forEach(c -> configData.put(name(c), map(c, "data")));
        List<String> problems = new ArrayList<>();
        for (ServiceConfig service : ServiceConfig.all()) {
            Map<String, Object> workload = workload(overlay, service.name());
            Map<String, Object> pod = map(workload, "spec", "template", "spec");
            Map<String, Object> container = map(pod, "containers", 0);
            Map<String, String> env = new LinkedHashMap<>(DeployFiles.Dockerfile.read(REPO.resolve("deploy/compose/Dockerfile")).env());
            for (Object from : list(container, "envFrom")) {
                configData.getOrDefault((String) at(from, "configMapRef", "name"), Map.of()).forEach((k, v) -> {
                    if (k.matches("[A-Z_][A-Z0-9_]*")) {
                        env.put(k, String.valueOf(v));
                    }
                });
            }
            list(container, "env").forEach(e -> env.put((String) map(e).get("name"), String.valueOf(map(e).get("value"))));
            Map<String, Map<String, Object>> volumes = volumes(workload);
            problems.addAll(ContainerChecks.check(overlay + " " + service.name(), service, env, path -> {
                for (Object mount : list(container, "volumeMounts")) {
                    String mountPath = (String) map(mount).get("mountPath");
                    if (!path.startsWith(mountPath + "/")) {
                        continue;
                    }
                    String file = path.substring(mountPath.length() + 1);
                    Map<String, Object> volume = volumes.get((String) map(mount).get("name"));
                    if (volume.containsKey("secret") || volume.containsKey("configMap")) {
                        String source = volume.containsKey("secret") ? at(volume, "secret", "secretName") : at(volume, "configMap", "name");
                        Map<String, Object> data = volume.containsKey("secret") ? secretData.get(source) : configData.get(source);
                        List<Object> items = list(volume, volume.containsKey("secret") ? "secret" : "configMap", "items");
                        boolean present = items.isEmpty() ? data != null && data.containsKey(file)
                                : items.stream().anyMatch(i -> file.equals(map(i).get("path")) && data != null && data.containsKey(map(i).get("key")));
                        if (present) {
                            return true;
                        }
                    } else if (volume.containsKey("emptyDir") || volume.containsKey("persistentVolumeClaim")
                            || volume.containsKey("volumeClaimTemplate")) {
                        // Something must put the file there: an init container writing to the same volume.
                        return !path.endsWith(".so") || list(pod, "initContainers").stream().anyMatch(i -> list(i, "volumeMounts").stream()
                                .anyMatch(m -> Objects.equals(map(m).get("name"), map(mount).get("name"))));
                    }
                }
                return false;
            }));
        }
        assertEquals(List.of(), problems);
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "production"})
    void networkPoliciesSelectRealPodsAndOnlyItsClientsReachCaService(String overlay) {
        List<Map<String, Object>> podLabels = new ArrayList<>();
        workloads(overlay).forEach(d -> podLabels.add(map(d, "spec", "template", "metadata", "labels")));
        ofKind(overlay, "Cluster").forEach(c -> podLabels.add(Map.of("cnpg.io/cluster", name(c))));
        for (Map<String, Object> policy : ofKind(overlay, "NetworkPolicy")) {
            Map<String, Object> selector = map(policy, "spec", "podSelector");
            if (!selector.isEmpty()) {
                assertTrue(podLabels.stream().anyMatch(l -> selects(selector, l)), name(policy) + " selects no pod");
            }
            for (Object rule : list(policy, "spec", "ingress")) {
                for (Object peer : list(rule, "from")) {
                    Map<String, Object> from = map(peer, "podSelector");
                    if (!from.isEmpty()) {
                        assertTrue(podLabels.stream().anyMatch(l -> selects(from, l)), name(policy) + ": a peer selects no pod");
                    }
                }
            }
        }
        assertTrue(ofKind(overlay, "NetworkPolicy").stream().anyMatch(p -> map(p, "spec", "podSelector").isEmpty()
                && list(p, "spec", "ingress").isEmpty()), "a default deny of ingress");
        // Who reaches ca-service's API: the union of every policy selecting ca-service's pods.
        Map<String, Object> caPods = map(workload(overlay, "ca-service"), "spec", "template", "metadata", "labels");
        Set<String> callers = new TreeSet<>();
        for (Map<String, Object> policy : ofKind(overlay, "NetworkPolicy")) {
            if (map(policy, "spec", "podSelector").isEmpty() || !selects(map(policy, "spec", "podSelector"), caPods)) {
                continue;
            }
            for (Object rule : list(policy, "spec", "ingress")) {
                boolean api = list(rule, "ports").stream().anyMatch(p -> "https".equals(map(p).get("port")) || Integer.valueOf(8081).equals(map(p).get("port")));
                assertFalse(list(rule, "from").isEmpty() && api, name(policy) + " opens ca-service's API to everyone");
                if (api) {
                    for (Object peer : list(rule, "from")) {
                        callers.add(String.valueOf((Object) at(peer, "podSelector", "matchLabels", "app.kubernetes.io/name")));
                    }
                }
            }
        }
        // ocsp-responder fetches the CA list and its delegated responder certificates from ca-service.
        assertEquals(Set.of("registration-service", "crl-publisher", "ocsp-responder"), callers);
    }

    /** matchLabels and In-expressions, the forms used here. */
    @SuppressWarnings("unchecked")
    private static boolean selects(Map<String, Object> selector, Map<String, Object> labels) {
        Map<String, Object> matchLabels = map(selector, "matchLabels");
        boolean match = matchLabels.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
        for (Object expression : list(selector, "matchExpressions")) {
            assertEquals("In", map(expression).get("operator"));
            match &= ((List<Object>) map(expression).get("values")).contains(labels.get(map(expression).get("key")));
        }
        return match && !(matchLabels.isEmpty() && list(selector, "matchExpressions").isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "production"})
    void theResponderScalesAndKeepsAReplicaThroughDisruptions(String overlay) {
        Map<String, Object> responder = workload(overlay, "ocsp-responder");
        Map<String, Object> hpa = named(overlay, "HorizontalPodAutoscaler", "ocsp-responder");
        assertEquals(Map.of("apiVersion", "apps/v1", "kind", responder.get("kind"), "name", "ocsp-responder"), map(hpa, "spec", "scaleTargetRef"));
        int min = (Integer) at(hpa, "spec", "minReplicas");
        int max = (Integer) at(hpa, "spec", "maxReplicas");
        assertTrue(min >= 1 && max > min, min + ".." + max);
        Map<String, Object> pdb = named(overlay, "PodDisruptionBudget", "ocsp-responder");
        assertTrue(selects(map(pdb, "spec", "selector"), map(responder, "spec", "template", "metadata", "labels")), "PDB selects the responder");
        Object minAvailable = at(pdb, "spec", "minAvailable");
        if (minAvailable != null) {
            assertTrue((Integer) minAvailable < min, "minAvailable " + minAvailable + " below minReplicas " + min + ", or no node drains");
        } else {
            assertEquals(Integer.valueOf(1), at(pdb, "spec", "maxUnavailable"));
        }
        // Updates replace pods while the others answer.
        if ("StatefulSet".equals(responder.get("kind"))) {
            // One pod at a time, the next only when the replaced one is Ready; none left behind.
            assertEquals("RollingUpdate", Objects.requireNonNullElse(at(responder, "spec", "updateStrategy", "type"), "RollingUpdate"));
            Object maxUnavailable = at(responder, "spec", "updateStrategy", "rollingUpdate", "maxUnavailable");
            assertTrue(maxUnavailable == null || Integer.valueOf(1).equals(maxUnavailable), "one pod at a time: " + maxUnavailable);
            assertEquals(0, (int) Objects.requireNonNullElse(at(responder, "spec", "updateStrategy", "rollingUpdate", "partition"), 0),
                    "every pod updated");
        } else {
            assertEquals(Integer.valueOf(0), at(responder, "spec", "strategy", "rollingUpdate", "maxUnavailable"));
        }
        assertNotNull(at(responder, "spec", "template", "spec", "containers", 0, "readinessProbe"), "a rollout waits for readiness");
    }

    /** The first container's environment variables with a literal value. */
    private static Map<String, String> env(Map<String, Object> workload) {
        Map<String, String> env = new HashMap<>();
        list(workload, "spec", "template", "spec", "containers", 0, "env").stream().filter(e -> map(e).get("value") != null)
                .forEach(e -> env.put((String) map(e).get("name"), String.valueOf(map(e).get("value"))));
        return env;
    }

    /**
     * The responder's state directory (its audit file and chain-id, the status-store snapshot) is a
     * volume of its own that outlives the pod: mounted from a StatefulSet's volumeClaimTemplate
     * whose claims are retained when the StatefulSet is deleted and when it scales down, so no
     * audit file ends with a pod. Pods are managed in parallel and the StatefulSet's serviceName is
     * a headless Service selecting them.
     */
    @ParameterizedTest
    @ValueSource(strings = {"local", "production"})
    void theResponderStateDirectoryIsARetainedClaimOfItsOwn(String overlay) {
        ServiceConfig config = ServiceConfig.of("ocsp-responder");
        Map<String, Object> responder = workload(overlay, "ocsp-responder");
        assertEquals("StatefulSet", responder.get("kind"), "only a StatefulSet gives each pod a volume of its own that outlives it");
        String property = config.properties().get("inkan.ocsp.store.state-dir");
        Matcher variable = Pattern.compile("^\\$\\{([A-Z][A-Z0-9_]*)[:}]").matcher(property);
        assertTrue(variable.find(), "the state directory comes from a variable: " + property);
        Map<String, String> env = env(responder);
        String stateDir = env.getOrDefault(ServiceConfig.envName("inkan.ocsp.store.state-dir"), env.get(variable.group(1)));
        assertNotNull(stateDir, overlay + ": " + variable.group(1) + " is set");
        assertTrue(stateDir.startsWith("/"), stateDir);

        // The mount holding the state directory (the deepest mount path containing it).
        Map<String, Object> mount = list(responder, "spec", "template", "spec", "containers", 0, "volumeMounts").stream().map(m -> map(m))
                .filter(m -> stateDir.equals(m.get("mountPath")) || stateDir.startsWith(m.get("mountPath") + "/"))
                .max(Comparator.comparingInt(m -> ((String) m.get("mountPath")).length()))
                .orElseThrow(() -> new AssertionError(overlay + ": nothing mounted at " + stateDir));
        assertFalse(Boolean.TRUE.equals(mount.get("readOnly")), "the state directory is written");
        String volume = (String) mount.get("name");
        assertTrue(list(responder, "spec", "template", "spec", "volumes").stream().noneMatch(v -> volume.equals(map(v).get("name"))),
                overlay + ": " + stateDir + " is the pod volume " + volume + ", which ends with the pod");
        Map<String, Object> template = list(responder, "spec", "volumeClaimTemplates").stream().map(t -> map(t))
                .filter(t -> volume.equals(at(t, "metadata", "name"))).findFirst()
                .orElseThrow(() -> new AssertionError(overlay + ": " + stateDir + " (volume " + volume + ") is no volumeClaimTemplate"));
        assertTrue(list(template, "spec", "accessModes").contains("ReadWriteOnce"), "one responder per claim: " + template);
        assertTrue(String.valueOf((Object) at(template, "spec", "resources", "requests", "storage")).matches("\\d+(Mi|Gi|Ti)"),
                "a size: " + template);

        assertEquals(Map.of("whenDeleted", "Retain", "whenScaled", "Retain"), map(responder, "spec", "persistentVolumeClaimRetentionPolicy"),
                overlay + ": audit files are never deleted with the StatefulSet or by scaling down");
        assertEquals("Parallel", at(responder, "spec", "podManagementPolicy"));
        Map<String, Object> governing = named(overlay, "Service", at(responder, "spec", "serviceName"));
        assertEquals("None", at(governing, "spec", "clusterIP"), "the StatefulSet's serviceName is headless");
        assertTrue(selects(Map.of("matchLabels", map(governing, "spec", "selector")), map(responder, "spec", "template", "metadata", "labels")),
                "the headless Service selects the responder's pods");
        assertEquals(map(responder, "spec", "selector", "matchLabels"), map(named(overlay, "Service", "ocsp-responder"), "spec", "selector"),
                "clients keep the ClusterIP Service");
    }

    /**
     * Every relying-party topic ocsp-responder and crl-publisher name (the registry and the usage
     * topic) is a KafkaTopic of the cluster with exactly the partitions and settings common's
     * RegistryTopic and UsageTopic create it with: the broker creates no topic
     * (auto.create.topics.enable false), and the services' own ensure() would use the broker's
     * defaults. Replicas as the broker's default replication (what ensure() would get),
     * min.insync.replicas as the event topic's.
     */
    @ParameterizedTest
    @ValueSource(strings = {"local", "production"})
    void theRelyingPartyTopicsAreKafkaTopicsWithTheServicesSettings(String overlay) {
        Map<String, Object> kafka = ofKind(overlay, "Kafka").get(0);
        Map<String, Object> brokerConfig = map(kafka, "spec", "kafka", "config");
        assertEquals("false", String.valueOf(brokerConfig.get("auto.create.topics.enable")), "topics come only from KafkaTopics");
        Object eventsMinIsr = at(named(overlay, "KafkaTopic", ServiceConfig.of("ca-service").properties().get("inkan.events.topic.name")),
                "spec", "config", "min.insync.replicas");
        record Expected(int partitions, Map<String, String> settings) {
        }
        Map<String, Expected> expected = Map.of(
                "registry-topic", new Expected(RegistryTopic.PARTITIONS, RegistryTopic.SETTINGS),
                "usage-topic", new Expected(UsageTopic.PARTITIONS, UsageTopic.SETTINGS));
        List<String> problems = new ArrayList<>();
        Set<String> checked = new TreeSet<>();
        for (String service : List.of("ocsp-responder", "crl-publisher")) {
            ServiceConfig config = ServiceConfig.of(service);
            Map<String, String> env = env(workload(overlay, service));
            expected.forEach((role, want) -> {
                List<String> keys = config.properties().keySet().stream().filter(k -> k.matches("inkan\\.[a-z]+\\.access\\." + role)).toList();
                assertEquals(1, keys.size(), service + " names its " + role + ": " + keys);
                String topicName = env.getOrDefault(ServiceConfig.envName(keys.get(0)), config.properties().get(keys.get(0)));
                assertFalse(topicName.contains("${"), keys.get(0) + " = " + topicName + ": a literal topic name expected");
                String where = overlay + " " + service + " " + keys.get(0) + " = " + topicName;
                List<Map<String, Object>> topics = ofKind(overlay, "KafkaTopic").stream()
                        .filter(t -> topicName.equals(Objects.requireNonNullElse(at(t, "spec", "topicName"), name(t)))).toList();
                if (topics.size() != 1) {
                    problems.add(where + ": " + topics.size() + " KafkaTopics");
                    return;
                }
                Map<String, Object> topic = topics.get(0);
                checked.add(topicName);
                if (!name(kafka).equals(at(topic, "metadata", "labels", "strimzi.io/cluster"))) {
                    problems.add(where + ": not a topic of " + name(kafka));
                }
                if (!Integer.valueOf(want.partitions()).equals(at(topic, "spec", "partitions"))) {
                    problems.add(where + ": partitions " + at(topic, "spec", "partitions") + ", the services create " + want.partitions());
                }
                Map<String, String> settings = new TreeMap<>();
                map(topic, "spec", "config").forEach((k, v) -> settings.put(k, String.valueOf(v)));
                Object minIsr = settings.remove("min.insync.replicas");
                if (!new TreeMap<>(want.settings()).equals(settings)) {
                    problems.add(where + ": settings " + settings + ", the services create " + new TreeMap<>(want.settings()));
                }
                if (!String.valueOf(brokerConfig.get("default.replication.factor")).equals(String.valueOf((Object) at(topic, "spec", "replicas")))) {
                    problems.add(where + ": replicas " + at(topic, "spec", "replicas") + ", not the broker's default "
                            + brokerConfig.get("default.replication.factor"));
                }
                if (!Objects.equals(eventsMinIsr == null ? null : String.valueOf(eventsMinIsr), minIsr)) {
                    problems.add(where + ": min.insync.replicas " + minIsr + ", the event topic's is " + eventsMinIsr);
                }
            });
        }
        assertEquals(List.of(), problems);
        assertEquals(Set.of("inkan.relying-parties", "inkan.relying-party-usage"), checked);
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "production"})
    void kafkaAndDatabasesAreTheOnesTheServicesAddress(String overlay) {
        ServiceConfig ca = ServiceConfig.of("ca-service");
        Map<String, Object> kafka = ofKind(overlay, "Kafka").get(0);
        Object plainPort = list(kafka, "spec", "kafka", "listeners").stream().filter(l -> Boolean.FALSE.equals(map(l).get("tls")))
                .map(l -> map(l).get("port")).findFirst().orElseThrow();
        String bootstrap = name(kafka) + "-kafka-bootstrap:" + plainPort;
        Map<String, Object> topic = named(overlay, "KafkaTopic", ca.properties().get("inkan.events.topic.name"));
        assertEquals(name(kafka), at(topic, "metadata", "labels", "strimzi.io/cluster"));
        assertEquals("enabled", at(kafka, "metadata", "annotations", "strimzi.io/kraft"));
        ofKind(overlay, "KafkaNodePool").forEach(pool -> assertEquals(name(kafka), at(pool, "metadata", "labels", "strimzi.io/cluster")));
        ca.properties().forEach((key, value) -> {
            if (key.startsWith("inkan.events.topic.config.")) {
                String setting = key.substring("inkan.events.topic.config.".length()).replace("\"", "");
                assertEquals(value, String.valueOf((Object) at(topic, "spec", "config", setting)), "topic " + setting + " as ca-service would create it");
            }
        });
        for (ServiceConfig service : ServiceConfig.all()) {
            Map<String, Object> deployment = workload(overlay, service.name());
            Map<String, String> env = new HashMap<>();
            list(deployment, "spec", "template", "spec", "containers", 0, "env").forEach(e -> env.put((String) map(e).get("name"), String.valueOf(map(e).get("value"))));
            if (service.usesKafka()) {
                assertEquals(bootstrap, env.get("INKAN_KAFKA_BOOTSTRAP"), service.name());
            }
            if (env.containsKey("INKAN_CA_URL")) {
                assertEquals("https://ca-service:" + ca.port(), env.get("INKAN_CA_URL"));
            }
            if (service.name().equals("ca-service")) {
                // The topic ca-service would create if it were missing is the one Strimzi creates.
                String partitions = env.getOrDefault("INKAN_EVENTS_TOPIC_PARTITIONS", ca.properties().get("inkan.events.topic.partitions"));
                assertEquals(Integer.valueOf(partitions), at(topic, "spec", "partitions"));
                assertEquals(Integer.valueOf(env.getOrDefault("INKAN_EVENTS_TOPIC_REPLICATION_FACTOR", "1")), at(topic, "spec", "replicas"));
            }
            service.databaseUrlVariable().ifPresent(variable -> {
                var url = java.net.URI.create(env.get(variable).substring("jdbc:".length()));
                String cluster = url.getHost().replaceAll("-rw$", "");
                Map<String, Object> initdb = map(named(overlay, "Cluster", cluster), "spec", "bootstrap", "initdb");
                assertEquals(url.getPath().substring(1), initdb.get("database"), service.name());
                assertEquals(env.get(variable.replace("_URL", "_USER")), initdb.get("owner"), service.name());
                assertEquals(5432, url.getPort());
                List<Object> volumes = list(deployment, "spec", "template", "spec", "volumes");
                assertTrue(volumes.stream().anyMatch(v -> (cluster + "-app").equals(at(v, "secret", "secretName"))),
                        service.name() + " mounts " + cluster + "-app for its password");
            });
        }
    }

    @Test
    void kubernetesAndComposeShareTheSoftHsmConfiguration() throws IOException {
        String k8s = Files.readString(REPO.resolve("k8s/base/softhsm2.conf"));
        assertEquals(Files.readString(REPO.resolve("deploy/compose/softhsm2.conf")), k8s);
        String tokenDir = DeployFiles.softHsmTokenDir(k8s);
        for (String service : List.of("ca-service", "ocsp-responder")) {
            Map<String, Object> pod = map(workload("local", service), "spec", "template", "spec");
            for (Object container : containers(pod)) {
                if (list(container, "args").stream().anyMatch(a -> String.valueOf(a).contains(":inkan-"))) {
                    assertTrue(String.valueOf(list(container, "args").get(0)).startsWith(tokenDir + ":"), "token init writes where SoftHSM2 reads");
                }
            }
            assertTrue(list(pod, "containers", 0, "volumeMounts").stream().anyMatch(m -> tokenDir.equals(map(m).get("mountPath"))),
                    service + " mounts its token at " + tokenDir);
        }
    }

    /**
     * A SoftHSM2 token outlives its pod: ca-service's CA keys (local; production has a network HSM
     * and no token volume), and each responder's keys, which the responder certificates saved in
     * its state directory certify (an emptyDir token meant new keys and new certificates from
     * ca-service on every pod replacement). Wherever an init container initialises a token, the
     * volume at SoftHSM2's token directory is a claim (a PersistentVolumeClaim or a StatefulSet's
     * volumeClaimTemplate), and it is the volume the init container wrote to.
     */
    @ParameterizedTest
    @ValueSource(strings = {"local", "production"})
    void everySoftHsmTokenOutlivesItsPod(String overlay) throws IOException {
        String tokenDir = DeployFiles.softHsmTokenDir(Files.readString(REPO.resolve("k8s/base/softhsm2.conf")));
        Set<String> withToken = new TreeSet<>();
        for (Map<String, Object> workload : workloads(overlay)) {
            String service = name(workload);
            Map<String, Object> pod = map(workload, "spec", "template", "spec");
            List<Object> initialisers = list(pod, "initContainers").stream()
                    .filter(c -> list(c, "args").stream().anyMatch(a -> String.valueOf(a).startsWith(tokenDir + ":"))).toList();
            if (initialisers.isEmpty()) {
                continue;
            }
            withToken.add(service);
            assertEquals(1, initialisers.size(), overlay + ": one init container initialises " + service + "'s token");
            String volume = list(pod, "containers", 0, "volumeMounts").stream().map(m -> map(m))
                    .filter(m -> tokenDir.equals(m.get("mountPath"))).map(m -> (String) m.get("name")).findFirst()
                    .orElseThrow(() -> new AssertionError(overlay + ": " + service + " mounts nothing at " + tokenDir));
            Map<String, Object> source = volumes(workload).get(volume);
            assertNotNull(source, overlay + ": " + service + " has no volume " + volume);
            assertTrue(source.containsKey("persistentVolumeClaim") || source.containsKey("volumeClaimTemplate"),
                    overlay + ": " + service + "'s token is on " + source + ", which ends with the pod");
            assertTrue(list(initialisers.get(0), "volumeMounts").stream()
                            .anyMatch(m -> volume.equals(map(m).get("name")) && tokenDir.equals(map(m).get("mountPath"))),
                    overlay + ": " + service + "'s token is initialised on the volume it is read from");
        }
        assertTrue(withToken.contains("ocsp-responder"), overlay + ": the responder keeps its keys in SoftHSM2: " + withToken);
    }
}
