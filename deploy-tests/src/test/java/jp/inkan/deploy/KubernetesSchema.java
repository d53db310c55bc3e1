package jp.inkan.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Offline schema check of rendered objects. Kubernetes and Strimzi kinds are read into the typed
 * models generated from their API definitions (fabric8 kubernetes-model, Strimzi's api module):
 * a wrong type fails to bind, and a field the API does not have — a typo, a field at the wrong
 * level — lands in a model's additionalProperties, which must stay empty everywhere. CloudNativePG
 * has no Java models on Maven Central: its Cluster gets a structural check of the fields used here.
 */
final class KubernetesSchema {

    private static final Map<String, Class<?>> MODELS = Map.ofEntries(
            Map.entry("v1/Namespace", io.fabric8.kubernetes.api.model.Namespace.class),
            Map.entry("v1/ConfigMap", io.fabric8.kubernetes.api.model.ConfigMap.class),
            Map.entry("v1/Secret", io.fabric8.kubernetes.api.model.Secret.class),
            Map.entry("v1/Service", io.fabric8.kubernetes.api.model.Service.class),
            Map.entry("v1/PersistentVolumeClaim", io.fabric8.kubernetes.api.model.PersistentVolumeClaim.class),
            Map.entry("apps/v1/Deployment", io.fabric8.kubernetes.api.model.apps.Deployment.class),
            Map.entry("apps/v1/StatefulSet", io.fabric8.kubernetes.api.model.apps.StatefulSet.class),
            Map.entry("autoscaling/v2/HorizontalPodAutoscaler", io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler.class),
            Map.entry("policy/v1/PodDisruptionBudget", io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget.class),
            Map.entry("networking.k8s.io/v1/NetworkPolicy", io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class),
            Map.entry("kafka.strimzi.io/v1beta2/Kafka", io.strimzi.api.kafka.model.kafka.Kafka.class),
            Map.entry("kafka.strimzi.io/v1beta2/KafkaNodePool", io.strimzi.api.kafka.model.nodepool.KafkaNodePool.class),
            Map.entry("kafka.strimzi.io/v1beta2/KafkaTopic", io.strimzi.api.kafka.model.topic.KafkaTopic.class));

    private static final Set<String> CNPG_CLUSTER_SPEC = Set.of("instances", "storage", "postgresql", "bootstrap",
            "resources", "imageName", "affinity", "monitoring", "backup", "enableSuperuserAccess", "walStorage");

    private static final ObjectMapper MAPPER = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    private KubernetesSchema() {
    }

    static List<String> check(Map<String, Object> object) {
        String type = object.get("apiVersion") + "/" + object.get("kind");
        String where = type + " " + DeployFiles.at(object, "metadata", "name");
        List<String> problems = new ArrayList<>();
        if (type.equals("postgresql.cnpg.io/v1/Cluster")) {
            checkCnpgCluster(where, object, problems);
            return problems;
        }
        Class<?> model = MODELS.get(type);
        if (model == null) {
            return List.of(where + ": unknown apiVersion/kind");
        }
        try {
            Object typed = MAPPER.convertValue(object, model);
            unknownFields(typed, where, problems);
        } catch (IllegalArgumentException e) {
            problems.add(where + ": " + e.getMessage().lines().findFirst().orElse(""));
        }
        return problems;
    }

    private static void unknownFields(Object value, String path, List<String> problems) {
        if (value == null) {
            return;
        }
        if (value instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                unknownFields(item, path + "[" + i++ + "]", problems);
            }
            return;
        }
        if (value instanceof Map<?, ?> entries) {
            entries.forEach((k, v) -> unknownFields(v, path + "." + k, problems));
            return;
        }
        String packageName = value.getClass().getPackageName();
        if (!packageName.startsWith("io.fabric8.kubernetes.api.model") && !packageName.startsWith("io.strimzi.api")) {
            return;
        }
        for (Method method : value.getClass().getMethods()) {
            if (method.getParameterCount() != 0 || Modifier.isStatic(method.getModifiers()) || !method.getName().startsWith("get")
                    || method.getDeclaringClass() == Object.class) {
                continue;
            }
            boolean additional = method.getName().equals("getAdditionalProperties");
            if (!additional && method.isAnnotationPresent(com.fasterxml.jackson.annotation.JsonIgnore.class)) {
                continue;
            }
            Object child;
            try {
                child = method.invoke(value);
            } catch (ReflectiveOperationException | RuntimeException e) {
                continue;
            }
            if (additional) {
                if (child instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    problems.add(path + ": fields the API does not define: " + extra.keySet());
                }
                continue;
            }
            String field = Character.toLowerCase(method.getName().charAt(3)) + method.getName().substring(4);
            unknownFields(child, path + "." + field, problems);
        }
    }

    private static void checkCnpgCluster(String where, Map<String, Object> cluster, List<String> problems) {
        Map<String, Object> spec = DeployFiles.map(cluster, "spec");
        for (String key : spec.keySet()) {
            if (!CNPG_CLUSTER_SPEC.contains(key)) {
                problems.add(where + ": spec." + key + " is not a Cluster field used here");
            }
        }
        if (!(spec.get("instances") instanceof Integer n) || n < 1) {
            problems.add(where + ": spec.instances must be a positive integer");
        }
        if (!(DeployFiles.at(spec, "storage", "size") instanceof String size) || !size.matches("\\d+(Mi|Gi|Ti)")) {
            problems.add(where + ": spec.storage.size must be a quantity");
        }
        Map<String, Object> initdb = DeployFiles.map(spec, "bootstrap", "initdb");
        if (!(initdb.get("database") instanceof String) || !(initdb.get("owner") instanceof String)) {
            problems.add(where + ": spec.bootstrap.initdb needs database and owner");
        }
        DeployFiles.map(spec, "postgresql", "parameters").forEach((k, v) -> {
            if (!(v instanceof String)) {
                problems.add(where + ": postgresql.parameters." + k + " must be a string");
            }
        });
    }
}
