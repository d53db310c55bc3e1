package jp.inkan.registration.revocation;

import java.util.List;
import jp.inkan.common.CertificateType;
import jp.inkan.common.ca.CertificateStatusView;

/**
 * What a resident event did: the certificates it ended, each as ca-service answered (a repeat of
 * the event answers with the first revocations, {@code unchanged} true), and those ca-service
 * refused to revoke for this reason (e.g. already revoked for another one), with its answer.
 */
public record RevocationOutcome(String event, String reason, List<CertificateStatusView> certificates,
                                List<Refusal> refused) {

    public record Refusal(CertificateType ca, String serial, int status, String title) {
    }
}
