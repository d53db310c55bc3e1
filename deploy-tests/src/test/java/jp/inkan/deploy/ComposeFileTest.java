package jp.inkan.deploy;

import static jp.inkan.deploy.DeployFiles.at;
import static jp.inkan.deploy.DeployFiles.list;
import static jp.inkan.deploy.DeployFiles.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/compose/compose.yaml cannot run here (no Docker engine), so it is checked: against the
 * Compose Specification's schema, and against what each service's application.properties needs
 * (variables, files, ports, peers), the Dockerfiles and the artifacts the build produces.
 */
class ComposeFileTest {

    private static final Path REPO = ServiceConfig.repo();
    private static final Path COMPOSE_DIR = REPO.resolve("deploy/compose");
    private static final Map<String, Object> COMPOSE = DeployFiles.yaml(COMPOSE_DIR.resolve("compose.yaml"));

    @Test
    void composeFileIsValidAgainstTheComposeSpecification() throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode schemaNode;
        try (InputStream schema = getClass().getResourceAsStream("/schemas/compose-spec.schema.json")) {
            schemaNode = (ObjectNode) json.readTree(schema);
        }
        // The validator wants an absolute $id; the file has the relative "compose_spec.json".
        schemaNode.put("$id", "https://compose-spec.invalid/compose_spec.json");
        var validator = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(schemaNode);
        Set<ValidationMessage> errors = validator.validate(json.valueToTree(COMPOSE));
        assertTrue(errors.isEmpty(), "compose.yaml against the Compose Specification: " + errors);
        // The schema is not a formality: a misspelt key is refused.
        Map<String, Object> broken = Map.of("services", Map.of("x", Map.of("image", "a", "enviroment", Map.of())));
        assertTrue(!validator.validate(json.valueToTree(broken)).isEmpty());
    }

    @Test
    void everyServiceIsBuiltFromItsModulesArtifact() {
        for (ServiceConfig service : ServiceConfig.all()) {
            Map<String, Object> build = map(COMPOSE, "services", service.name(), "build");
            assertEquals(REPO, COMPOSE_DIR.resolve((String) build.get("context")).normalize(), service.name() + " build context");
            Path dockerfilePath = REPO.resolve((String) build.get("dockerfile"));
            assertTrue(Files.isRegularFile(dockerfilePath), dockerfilePath + " missing");
            assertEquals(service.name(), at(build, "args", "MODULE"), service.name() + " MODULE");
            assertEquals(String.valueOf(service.usesHsm()), at(build, "args", "SOFTHSM"),
                    service.name() + ": softhsm2 in the image exactly when the service reads a PKCS#11 library");
            assertEquals("inkan/" + service.name() + ":dev", at(COMPOSE, "services", service.name(), "image"));
            DeployFiles.Dockerfile dockerfile = DeployFiles.Dockerfile.read(dockerfilePath);
            assertTrue(dockerfile.from().startsWith("eclipse-temurin:17-jre"), dockerfile.from());
            assertCopiesExist(dockerfile, service.name());
            assertTrue(dockerfile.copySources().stream().anyMatch(s -> s.endsWith("/target/quarkus-app/quarkus-run.jar")));
        }
        Map<String, Object> init = map(COMPOSE, "services", "hsm-init", "build");
        DeployFiles.Dockerfile dockerfile = DeployFiles.Dockerfile.read(REPO.resolve((String) init.get("dockerfile")));
        assertTrue(dockerfile.from().startsWith("debian:"), dockerfile.from());
        assertCopiesExist(dockerfile, null);
    }

    private static void assertCopiesExist(DeployFiles.Dockerfile dockerfile, String module) {
        for (String source : dockerfile.copySources()) {
            String path = module == null ? source : source.replace("${MODULE}", module);
            assertTrue(Files.exists(REPO.resolve(path)), dockerfile.path().getFileName() + " copies " + path
                    + ", which the build has not produced (package the module first: ./mvnw -DskipTests package -pl "
                    + module + " -am)");
            assertTrue(dockerfile.contextKeeps(path), path + " is excluded from the build context by the .dockerignore");
        }
        assertTrue(dockerfile.copySources().stream().anyMatch(s -> s.endsWith(".sh")), "entry point script copied");
        assertTrue(dockerfile.entrypoint().startsWith("/usr/local/bin/inkan-"), dockerfile.entrypoint());
    }

    @Test
    void eachServiceGetsTheVariablesAndFilesItsConfigurationReads() {
        List<String> problems = new ArrayList<>();
        for (ServiceConfig service : ServiceConfig.all()) {
            Map<String, Object> definition = map(COMPOSE, "services", service.name());
            DeployFiles.Dockerfile dockerfile = DeployFiles.Dockerfile.read(REPO.resolve((String) at(definition, "build", "dockerfile")));
            Map<String, String> env = new LinkedHashMap<>(dockerfile.env());
            map(definition, "environment").forEach((k, v) -> env.put(k, String.valueOf(v)));
            Set<String> files = mountedFiles(definition);
            if (service.usesHsm()) {
                files.add("/usr/lib/softhsm/libsofthsm2.so");   // Debian/Ubuntu softhsm2, SOFTHSM=true
            }
            Set<String> directories = new TreeSet<>();
            for (Object volume : list(definition, "volumes")) {
                directories.add(((String) volume).split(":")[1]);
            }
            problems.addAll(ContainerChecks.check("compose " + service.name(), service, env,
                    path -> files.contains(path) || directories.stream().anyMatch(d -> path.startsWith(d + "/"))));
            env.forEach((k, v) -> {
                if ((k.contains("PASSWORD") || k.endsWith("_PIN")) && !k.endsWith("_FILE")) {
                    problems.add("compose " + service.name() + ": " + k + " holds a secret value; give it as a file");
                }
            });
        }
        assertEquals(List.of(), problems);
    }

    /** Secret and config targets of a Compose service (a short-syntax secret lands at /run/secrets/<name>). */
    private static Set<String> mountedFiles(Map<String, Object> definition) {
        Set<String> files = new TreeSet<>();
        for (String key : List.of("secrets", "configs")) {
            for (Object entry : list(definition, key)) {
                if (entry instanceof String name) {
                    files.add(key.equals("secrets") ? "/run/secrets/" + name : "/" + name);
                } else {
                    String target = (String) map(entry).get("target");
                    files.add(target.startsWith("/") ? target : "/run/secrets/" + target);
                }
            }
        }
        return files;
    }

    @Test
    void portsHealthChecksAndPeersMatchTheServices() {
        Map<String, ServiceConfig> byName = new HashMap<>();
        ServiceConfig.all().forEach(s -> byName.put(s.name(), s));
        ServiceConfig ca = byName.get("ca-service");
        String kafkaAdvertised = (String) at(COMPOSE, "services", "kafka", "environment", "KAFKA_ADVERTISED_LISTENERS");
        String clusterId = (String) at(COMPOSE, "services", "kafka", "environment", "CLUSTER_ID");
        assertEquals(clusterId, org.apache.kafka.common.Uuid.fromString(clusterId).toString(), "KRaft cluster id: a base64url UUID");
        for (ServiceConfig service : byName.values()) {
            Map<String, Object> definition = map(COMPOSE, "services", service.name());
            String name = service.name();
            Set<String> served = new java.util.TreeSet<>();
            service.ports().forEach(p -> served.add(String.valueOf(p)));
            served.add(String.valueOf(service.managementPort()));
            assertEquals(served, new java.util.TreeSet<>(list(definition, "expose").stream().map(String::valueOf).toList()),
                    name + " exposes its HTTP(S) and management ports");
            List<Object> health = list(definition, "healthcheck", "test");
            assertTrue(health.contains("http://127.0.0.1:" + service.managementPort() + "/q/health/ready"),
                    name + " health check on its management port: " + health);
            for (Object published : list(definition, "ports")) {
                String[] parts = ((String) published).split(":");
                assertTrue(service.ports().contains(Integer.parseInt(parts[parts.length - 1])),
                        name + " publishes its own ports only: " + published);
            }
            Map<String, Object> env = map(definition, "environment");
            Map<String, Object> dependsOn = map(definition, "depends_on");
            if (env.containsKey("INKAN_CA_URL")) {
                assertEquals("https://ca-service:" + ca.port(), env.get("INKAN_CA_URL"), name);
                assertEquals("service_healthy", at(dependsOn, "ca-service", "condition"), name + " waits for ca-service");
            }
            if (service.usesKafka()) {
                assertEquals("PLAINTEXT://" + env.get("INKAN_KAFKA_BOOTSTRAP"), kafkaAdvertised, name + " Kafka address");
                assertEquals("service_healthy", at(dependsOn, "kafka", "condition"), name + " waits for Kafka");
            }
            service.databaseUrlVariable().ifPresent(variable -> {
                String prefix = variable.substring(0, variable.length() - "URL".length());
                String user = (String) env.get(prefix + "USER");
                assertEquals("jdbc:postgresql://postgres:5432/" + user, env.get(variable), name + " database");
                assertTrue(user.matches("inkan_(ca|registration|crl)"), user + " is one init-databases.sh creates");
                String passwordSecret = ((String) env.get(prefix + "PASSWORD_FILE")).replace("/run/secrets/", "");
                assertTrue(list(COMPOSE, "services", "postgres", "secrets").contains(passwordSecret),
                        "postgres' init script reads " + passwordSecret);
                assertEquals("service_healthy", at(dependsOn, "postgres", "condition"), name + " waits for PostgreSQL");
            });
            if (service.usesHsm()) {
                assertEquals("service_completed_successfully", at(dependsOn, "hsm-init", "condition"), name);
            }
        }
        // The addresses certificates carry reach the responder and the publisher through published ports.
        Map<String, Object> caEnv = map(COMPOSE, "services", "ca-service", "environment");
        assertPublished((String) caEnv.get("INKAN_OCSP_URL"), byName.get("ocsp-responder"));
        assertPublished((String) caEnv.get("INKAN_CRL_BASE_URL"), byName.get("crl-publisher"));
        assertEquals(caEnv.get("INKAN_CRL_BASE_URL"), at(COMPOSE, "services", "crl-publisher", "environment", "INKAN_CRL_BASE_URL"));
    }

    private static void assertPublished(String url, ServiceConfig service) {
        URI uri = URI.create(url);
        assertTrue(list(COMPOSE, "services", service.name(), "ports").stream()
                .anyMatch(p -> ((String) p).endsWith(uri.getPort() + ":" + service.port())),
                url + " is not a published port of " + service.name());
    }

    @Test
    void eachTokenIsInitialisedInTheVolumeItsServiceReads() throws IOException {
        String tokenDir = DeployFiles.softHsmTokenDir(Files.readString(COMPOSE_DIR.resolve("softhsm2.conf")));
        Map<String, Object> init = map(COMPOSE, "services", "hsm-init");
        Map<String, String> initVolumes = new HashMap<>();   // mount path -> volume
        list(init, "volumes").forEach(v -> initVolumes.put(((String) v).split(":")[1], ((String) v).split(":")[0]));
        List<String> specs = list(init, "command").stream().map(String::valueOf).toList();
        int tokens = 0;
        for (ServiceConfig service : ServiceConfig.all()) {
            if (!service.usesHsm()) {
                continue;
            }
            Map<String, Object> definition = map(COMPOSE, "services", service.name());
            Map<String, Object> env = map(definition, "environment");
            assertEquals("softhsm2-conf", at(definition, "configs", 0, "source"));
            assertEquals(env.get("SOFTHSM2_CONF"), at(definition, "configs", 0, "target"));
            String volume = list(definition, "volumes").stream().map(String::valueOf)
                    .filter(v -> v.endsWith(":" + tokenDir)).map(v -> v.split(":")[0]).findFirst()
                    .orElseThrow(() -> new AssertionError(service.name() + " mounts no volume at " + tokenDir));
            String label = env.entrySet().stream().filter(e -> e.getKey().endsWith("HSM_TOKEN_LABEL"))
                    .map(e -> (String) e.getValue()).findFirst().orElseThrow();
            String pinFile = env.entrySet().stream().filter(e -> e.getKey().endsWith("PIN_FILE"))
                    .map(e -> (String) e.getValue()).findFirst().orElseThrow();
            String spec = specs.stream().filter(s -> s.split(":")[1].equals(label)).findFirst()
                    .orElseThrow(() -> new AssertionError("hsm-init does not initialise " + label));
            String[] parts = spec.split(":");
            assertEquals(volume, initVolumes.get(parts[0]), label + " is initialised in the volume " + service.name() + " mounts");
            assertEquals(pinFile, parts[2], label + ": the service logs in with the PIN the token was made with");
            assertTrue(list(init, "secrets").containsAll(List.of(parts[2].replace("/run/secrets/", ""),
                    parts[3].replace("/run/secrets/", ""))));
            tokens++;
        }
        assertEquals(2, tokens, "ca-service and ocsp-responder each have a token");
        assertEquals("10001", at(init, "environment", "INKAN_TOKEN_OWNER"), "tokens owned by the services' user");
    }

    @Test
    void secretsScriptMakesEveryFileTheComposeFileMounts(@TempDir Path temp) throws IOException {
        Path out = temp.resolve("secrets");
        var run = DeployFiles.run(Map.of(), "bash", COMPOSE_DIR.resolve("secrets.sh").toString(), out.toString());
        assertEquals(0, run.exitCode(), run.output());
        map(COMPOSE, "secrets").forEach((name, definition) -> {
            String file = (String) map(definition).get("file");
            assertTrue(file.startsWith("./secrets/"), name + " comes from ./secrets");
            assertTrue(Files.isRegularFile(out.resolve(file.substring("./secrets/".length()))), name + ": " + file + " not made by secrets.sh");
        });
        assertTrue(Files.readAllLines(COMPOSE_DIR.resolve(".gitignore")).contains("secrets/"), "secrets are never committed");
    }
}
