package jp.inkan.ca.audit;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jp.inkan.ca.config.CaConfig;
import jp.inkan.ca.config.HsmConfig;
import org.jboss.logging.Logger;

/**
 * The first entry of every run: the configuration this instance signs with (who may call it, the
 * HSM it uses, issuance and dual-control rules), so a changed setting shows in the trail. Never the
 * PIN: only where it is read from.
 */
@ApplicationScoped
public class StartUpAudit {

    private static final Logger LOG = Logger.getLogger(StartUpAudit.class);

    private final AuditLog audit;
    private final CaConfig config;
    private final HsmConfig hsm;

    public StartUpAudit(AuditLog audit, CaConfig config, HsmConfig hsm) {
        this.audit = audit;
        this.config = config;
        this.hsm = hsm;
    }

    void started(@Observes StartupEvent event) {
        String detail = "clients " + config.api().clients().keySet() + "; HSM library " + hsm.library()
                + ", PIN from " + hsm.pinFile().map(path -> "file " + path).orElse("env " + hsm.pinEnv())
                + "; signature CA " + config.signature().subjectDn() + " (" + config.signature().keyType() + ")"
                + "; authentication CA " + config.authentication().subjectDn() + " (" + config.authentication().keyType() + ")"
                + "; subject keys " + config.issuance().allowedKeyTypes() + ", minimum signature age "
                + config.issuance().minimumSignatureAge() + "; approvals required " + config.operators().approvalsRequired()
                + ", requests expire after " + config.operators().requestTtl() + ", minimum switch lead "
                + config.operators().minSwitchLead() + "; hold release " + (config.revocation().holdReleaseEnabled()
                ? "enabled" : "disabled") + "; audit sealed every " + config.audit().sealEvery();
        try {
            audit.record("ca-service", "service.started", "ca-service", detail);
        } catch (RuntimeException e) {
            // The readiness check reports the database; starting must not hinge on this one entry.
            LOG.errorf("Could not audit the start-up configuration: %s", e.getMessage());
        }
    }
}
