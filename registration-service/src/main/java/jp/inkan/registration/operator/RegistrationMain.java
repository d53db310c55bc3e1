package jp.inkan.registration.operator;

import java.util.List;
import jp.inkan.common.audit.AuditAnchor;
import jp.inkan.common.audit.AuditChain;
import jp.inkan.registration.ca.CaApi;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import jp.inkan.registration.audit.AuditAnchoring;
import jp.inkan.registration.audit.AuditLog;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import jp.inkan.common.LocalGovernmentCode;
import jp.inkan.registration.municipality.Municipalities;
import jp.inkan.registration.municipality.RegisteredMunicipality;

/**
 * Without arguments: the service. With arguments: the operator command, run against the same
 * database and then exiting (deploy/local/municipality.sh wraps it):
 *
 * <pre>
 *   municipality register --code 131016 --prefecture 東京都 --name 千代田区 --certificate client.pem
 *   municipality list
 * </pre>
 */
@QuarkusMain
public class RegistrationMain implements QuarkusApplication {

    private final Municipalities municipalities;
    private final AuditLog audit;
    private final CaApi ca;
    private final AuditAnchoring anchoring;

    public RegistrationMain(Municipalities municipalities, AuditLog audit, @RestClient CaApi ca, AuditAnchoring anchoring) {
        this.municipalities = municipalities;
        this.audit = audit;
        this.ca = ca;
        this.anchoring = anchoring;
    }

    public static void main(String... args) {
        Quarkus.run(RegistrationMain.class, args);
    }

    @Override
    public int run(String... args) throws Exception {
        if (args.length == 0) {
            auditStartUp();
            anchoring.serving();
            Quarkus.waitForExit();
            return 0;
        }
        if (args.length >= 2 && args[0].equals("audit") && args[1].equals("verify")) {
            List<AuditAnchor> anchors;
            try {
                anchors = ca.anchors();
            } catch (RuntimeException e) {
                anchors = null;
                System.out.println("anchors NOT checked: ca-service did not answer (" + e.getMessage() + ")");
            }
            List<AuditChain.Break> breaks = audit.verify(anchors == null ? List.of() : anchors);
            breaks.forEach(b -> System.out.println("BROKEN at entry " + b.seq() + ": " + b.problem()));
            if (!breaks.isEmpty()) {
                return 1;
            }
            if (anchors == null) {
                System.out.println("audit chain intact, but a consistent rewrite would not be detected without the anchors");
                return 3;
            }
            System.out.println("audit trail intact; " + anchors.size() + " anchor(s) in ca-service match");
            return 0;
        }
        if (args.length >= 2 && args[0].equals("municipality") && args[1].equals("list")) {
            for (RegisteredMunicipality m : municipalities.all()) {
                System.out.printf("%s %s %s  client %s  sha256 %s%n", m.code(), m.prefecture(), m.name(),
                        m.clientSubject(), HexFormat.of().formatHex(m.clientCertificateSha256()));
            }
            return 0;
        }
        if (args.length >= 2 && args[0].equals("municipality") && args[1].equals("register")) {
            Map<String, String> options = options(args);
            String code = options.get("--code");
            if (code == null || options.get("--prefecture") == null || options.get("--name") == null
                    || options.get("--certificate") == null) {
                return usage();
            }
            var problem = LocalGovernmentCode.problemWith(code);
            if (problem.isPresent()) {
                System.err.println("--code " + code + ": " + problem.get());
                return 2;
            }
            X509Certificate certificate;
            try (InputStream in = Files.newInputStream(Path.of(options.get("--certificate")))) {
                certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            }
            RegisteredMunicipality m = municipalities.register(code, options.get("--prefecture"), options.get("--name"),
                    certificate);
            System.out.printf("registered %s %s %s, client certificate %s%n", m.code(), m.prefecture(), m.name(),
                    m.clientSubject());
            return 0;
        }
        return usage();
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 2; i + 1 < args.length; i += 2) {
            options.put(args[i], args[i + 1]);
        }
        return options;
    }

    private static int usage() {
        System.err.println("""
                usage: municipality register --code <6 digits> --prefecture <name> --name <name> --certificate <client.pem>
                       municipality list
                       audit verify""");
        return 2;
    }

    /** The configuration this instance serves with, as the first entry of its run (issue: configuration at start-up). */
    private void auditStartUp() {
        var config = org.eclipse.microprofile.config.ConfigProvider.getConfig();
        java.util.function.Function<String, String> value = key -> config.getOptionalValue(key, String.class).orElse("-");
        String detail = "client-auth=" + value.apply("quarkus.http.ssl.client-auth") + "; https port "
                + value.apply("quarkus.http.ssl-port") + "; max body " + value.apply("quarkus.http.limits.max-body-size")
                + "; ca-service " + value.apply("quarkus.rest-client.ca.url") + "; audit anchor every "
                + value.apply("inkan.registration.audit.anchor-every") + "; municipalities registered "
                + io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().call(() -> municipalities.all().size());
        audit.recordAlone(new AuditLog.Actor("registration-service", null), AuditLog.Action.SERVICE_STARTED,
                AuditLog.Outcome.ACCEPTED, null, detail);
    }
}
