package jp.inkan.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Checks one container (a Compose service or a Kubernetes container) against its service's
 * application.properties: every variable the service reads without a usable default is provided
 * (directly, or through the image entry point's conventions), nothing internal points at loopback,
 * the service listens on the container's interfaces, and every file it will open is mounted.
 */
final class ContainerChecks {

    /** Addresses printed into certificates for relying parties: deployment-specific, may name this host. */
    static final Set<String> PUBLIC_ADDRESSES = Set.of("INKAN_CRL_BASE_URL", "INKAN_OCSP_URL", "INKAN_CPS_URI");

    private ContainerChecks() {
    }

    /**
     * @param env      the container's effective environment (image ENV, then the container's own)
     * @param provided whether a file path exists in the container (mounted secret, config, volume, image file)
     */
    static List<String> check(String where, ServiceConfig service, Map<String, String> env, Predicate<String> provided) {
        List<String> problems = new ArrayList<>();
        for (var reference : service.envReferences().entrySet()) {
            String variable = reference.getKey();
            if (!needsValue(reference.getValue()) || service.pkiFileDefaults().containsKey(variable)) {
                continue;
            }
            if (!isProvided(variable, env)) {
                problems.add(where + ": " + variable + " is read by " + service.name()
                        + " without a usable default (" + reference.getValue().map(d -> "'" + d + "'").orElse("none")
                        + ") and is not provided");
            }
        }
        env.forEach((variable, value) -> {
            if (!PUBLIC_ADDRESSES.contains(variable) && isLoopback(value)) {
                problems.add(where + ": " + variable + "=" + value + " points at the container itself");
            }
            if (variable.endsWith("_HOST") && service.envReferences().containsKey(variable) && !value.equals("0.0.0.0")) {
                problems.add(where + ": " + variable + "=" + value + ": the service must listen on the container's interfaces");
            }
        });
        // Bind addresses fixed to loopback in the properties must be overridden by their variable.
        service.properties().forEach((property, value) -> {
            if (!property.startsWith("%") && isLoopback(value) && !value.contains("${")) {
                String variable = ServiceConfig.envName(property);
                if (!"0.0.0.0".equals(env.get(variable))) {
                    problems.add(where + ": " + property + "=" + value + " needs " + variable + "=0.0.0.0");
                }
            }
        });
        // Files: secrets given as files, the PKI directory's content, the HSM configuration.
        env.forEach((variable, value) -> {
            if ((variable.endsWith("_FILE") || variable.equals("SOFTHSM2_CONF")) && !provided.test(value)) {
                problems.add(where + ": " + variable + "=" + value + " is not mounted");
            }
        });
        String pkiDir = env.get("INKAN_PKI_DIR");
        if (pkiDir != null) {
            for (String file : service.pkiFiles()) {
                if (!provided.test(pkiDir + "/" + file)) {
                    problems.add(where + ": " + pkiDir + "/" + file + " (" + service.name() + "'s ${inkan.pki.dir}/" + file + ") is not mounted");
                }
            }
            service.pkiFileDefaults().forEach((variable, file) -> {
                if (!env.containsKey(variable) && !provided.test(pkiDir + "/" + file)) {
                    problems.add(where + ": neither " + variable + " nor " + pkiDir + "/" + file + " is provided");
                }
            });
        }
        for (var hsm : service.hsmPrefixes().entrySet()) {
            String prefix = hsm.getKey();
            String pinFileVariable = ServiceConfig.envName(prefix + "pin-file");
            String pinEnv = service.properties().getOrDefault(prefix + "pin-env", "INKAN_HSM_PIN");
            if (!env.containsKey(pinFileVariable) && !env.containsKey(pinEnv)) {
                problems.add(where + ": no HSM PIN: neither " + pinFileVariable + " (file) nor " + pinEnv);
            }
            String library = resolve(hsm.getValue(), env);
            if (!provided.test(library)) {
                problems.add(where + ": the PKCS#11 library " + library + " is not in the container");
            }
        }
        return problems;
    }

    /** The entry point's conventions (deploy/compose/entrypoint.sh) count as providing a variable. */
    static boolean isProvided(String variable, Map<String, String> env) {
        if (env.containsKey(variable)) {
            return true;
        }
        if (variable.endsWith("_PASSWORD") && env.containsKey(variable + "_FILE")) {
            return true;
        }
        return variable.endsWith("HSM_SLOT") && env.containsKey(variable.replaceAll("_SLOT$", "_TOKEN_LABEL"));
    }

    static boolean needsValue(Optional<String> defaultValue) {
        return defaultValue.isEmpty() || defaultValue.get().isBlank() || isLoopback(defaultValue.get())
                || defaultValue.get().contains(".inkan-local");
    }

    static boolean isLoopback(String value) {
        return value.contains("127.0.0.1") || value.contains("localhost");
    }

    /** ${VAR:default} with the container's value of VAR. */
    static String resolve(String value, Map<String, String> env) {
        var m = java.util.regex.Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)(?::([^}]*))?}").matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement = env.getOrDefault(m.group(1), m.group(2) == null ? "" : m.group(2));
            m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }
}
