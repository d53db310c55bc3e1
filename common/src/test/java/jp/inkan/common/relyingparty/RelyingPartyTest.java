package jp.inkan.common.relyingparty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import jp.inkan.common.CertificateType;
import org.junit.jupiter.api.Test;

class RelyingPartyTest {

    static final String HASH = "ab".repeat(32);

    static RelyingParty party(String id, RelyingParty.Kind kind, Set<CertificateType> cas, List<String> hashes, Integer rate) {
        return new RelyingParty(RelyingParty.SCHEMA, id, "ACME", kind, cas, hashes, List.of(), rate,
                RelyingParty.State.ACTIVE, 1);
    }

    @Test
    void aWellFormedRecordHasNoProblems() {
        assertEquals(List.of(), party("acme-sign", RelyingParty.Kind.SIGNATURE_VERIFIER, Set.of(CertificateType.SIGNATURE),
                List.of(HASH.toUpperCase()), 100).problems());
        assertEquals(List.of(), party("platform", RelyingParty.Kind.PLATFORM_OPERATOR,
                Set.of(CertificateType.SIGNATURE, CertificateType.AUTHENTICATION), List.of(HASH), null).problems());
    }

    @Test
    void everyBrokenRuleIsListed() {
        List<String> problems = party("Bad Id", RelyingParty.Kind.SIGNATURE_VERIFIER, Set.of(CertificateType.AUTHENTICATION),
                List.of("xyz"), 0).problems();
        assertEquals(4, problems.size(), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.contains("not entitled to the authentication CA")), problems.toString());
        assertTrue(party("a", RelyingParty.Kind.AUTHENTICATION_VERIFIER, Set.of(), List.of(), null).problems()
                .containsAll(List.of("at least one entitled CA is required",
                        "a client certificate or a request signer certificate is required")));
    }

    @Test
    void suspendingBumpsTheRevisionAndKeepsTheRest() {
        RelyingParty active = party("acme", RelyingParty.Kind.SIGNATURE_VERIFIER, Set.of(CertificateType.SIGNATURE),
                List.of(HASH), null);
        RelyingParty suspended = active.withState(RelyingParty.State.SUSPENDED);
        assertEquals(2, suspended.revision());
        assertEquals(active.clientCertificateSha256(), suspended.clientCertificateSha256());
        assertTrue(!suspended.active() && active.active());
        assertEquals(active, new RelyingPartyIndex(List.of(active)).byClientCertificate(HASH).orElseThrow());
    }
}
