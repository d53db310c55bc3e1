package jp.inkan.ca.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import jp.inkan.ca.issuance.KeyType;

/** What the two CAs are and how they issue. Defaults live in application.properties. */
@ConfigMapping(prefix = "inkan.ca")
public interface CaConfig {

    Authority signature();

    Authority authentication();

    Profile profile();

    Issuance issuance();

    Bootstrap bootstrap();

    Api api();

    Revocation revocation();

    Responder responder();

    Crl crl();

    Operators operators();

    Audit audit();

    /** Dual control of rotation, retirement, bootstrap and hold release (control/OperatorRequests). */
    interface Operators {
        /**
         * Operators by name: the subject DN of each one's client certificate from the service CA.
         * They call the operator API as the client {@code operator}; approvals are counted per name.
         */
        Map<String, String> subjects();

        /** Distinct operators (the requester counts as one) that must approve before execution: M of N. */
        @Min(2)
        @WithDefault("2")
        int approvalsRequired();

        /** A request not executed within this is expired: its approvals can no longer be used. */
        @WithDefault("PT1H")
        Duration requestTtl();

        /**
         * A rotation is executed only if its switchAt is at least this much later: every OCSP
         * responder and CRL publisher must list the new generation (and hold its responder
         * certificate) before it issues, or its certificates would get unauthorized/tryLater and
         * 404 CRLs. Longer than ocsp-responder's ca-service.refresh-interval plus its
         * responder-certificates.check-interval and crl-publisher's schedule.check (README "Key rotation").
         * PT0S: no minimum, a switch in the past (up to a minute) means now (unit tests only).
         */
        @WithDefault("PT10M")
        Duration minSwitchLead();
    }

    /** The hash-chained audit trail (audit/AuditLog) and its seals by a key in the HSM. */
    interface Audit {
        /** How often the chain head is sealed (signed in the HSM) when entries were added. */
        @WithDefault("PT1M")
        Duration sealEvery();

        /** Token alias of the sealing key (EC P-256, generated on first use, signs nothing else). */
        @WithDefault("audit-seal")
        String sealKeyAlias();
    }

    /** What CRL content crl-publisher may have signed (api/CrlResource). */
    interface Crl {
        /** thisUpdate must be within this of ca-service's clock. */
        @WithDefault("PT15M")
        Duration maxClockSkew();

        /** nextUpdate at most this long after thisUpdate. */
        @WithDefault("P10D")
        Duration maxValidity();

        /** Largest TBSCertList accepted (1,000,000 entries are about 40 MB). */
        @WithDefault("536870912")
        long maxTbsBytes();
    }

    interface Api {
        /**
         * The services that may call the API: a client name (as endpoints name their callers) to
         * the subject DN of its certificate from the service CA.
         */
        @NotEmpty
        Map<String, String> clients();
    }

    interface Revocation {
        /** JPKI never releases a hold; an operator-only release (emitting removeFromCRL) is opt-in. */
        @WithDefault("false")
        boolean holdReleaseEnabled();
    }

    interface Responder {
        /** Validity of delegated OCSP responder certificates: short, as they carry id-pkix-ocsp-nocheck. */
        @WithDefault("P7D")
        Duration validity();

        /** Common name of responder certificates; {@code {ca}} and {@code {generation}} are replaced. */
        @NotBlank
        @WithDefault("OCSP Responder {ca} G{generation}")
        String commonName();
    }

    interface Authority {
        /** Subject and issuer DN of every root of this CA, all key generations alike. */
        @NotBlank
        String subjectDn();

        /** Token alias prefix; generation n's key is {@code <prefix>-g<nn>}. */
        @NotBlank
        String keyAliasPrefix();

        @Min(1)
        @Max(30)
        @WithDefault("10")
        int rootValidityYears();

        /** Type of the CA key generated in the HSM. */
        @WithDefault("RSA_2048")
        KeyType keyType();

        /** certificatePolicies policy OID of the end-entity certificates. */
        @NotBlank
        String policyOid();

        /** The DirName distribution point is this DN plus {@code OU=<prefecture>, CN=<municipality> CRLDP}. */
        @NotBlank
        String crlDistributionPointBaseDn();

        /** HTTP distribution point; {@code {generation}} (two digits) and {@code {municipality}} (code) are replaced. */
        @NotBlank
        String crlUrlTemplate();

        @NotBlank
        String ocspUrl();
    }

    interface Profile {
        @NotBlank
        String cpsUri();

        /** Organisation of the issuerAltName DirName ({@code C=JP, O=公的個人認証サービス}). */
        @NotBlank
        String issuerAltNameOrganization();
    }

    interface Issuance {
        /** Subject key types accepted in a CSR. */
        @NotEmpty
        @WithDefault("RSA_2048")
        List<KeyType> allowedKeyTypes();

        /** Birthdays after the issue date a certificate lasts (5 in the My Number card era). */
        @Min(1)
        @WithDefault("5")
        int validityBirthdays();

        /** A renewal within this many months before the current certificate expires lasts one birthday longer. */
        @Min(0)
        @WithDefault("3")
        int renewalWindowMonths();

        @Min(0)
        @WithDefault("15")
        int minimumSignatureAge();

        /** Attempts at a fresh serial when the database reports a collision. */
        @Min(1)
        @WithDefault("5")
        int serialAttempts();
    }

    interface Bootstrap {
        /** Create missing CAs (key, root, generation 01) when the service starts. Idempotent. */
        @WithDefault("false")
        boolean onStart();
    }
}
