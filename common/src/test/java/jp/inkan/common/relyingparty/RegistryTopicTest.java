package jp.inkan.common.relyingparty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import jp.inkan.common.CertificateType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class RegistryTopicTest {

    static ConsumerRecord<String, String> record(String key, String value) {
        return new ConsumerRecord<>(RelyingParty.TOPIC, 0, 0, key, value);
    }

    static String json(RelyingParty party) throws Exception {
        return RegistryTopic.JSON.writeValueAsString(party);
    }

    @Test
    void recordsReplaceTombstonesRemoveAndBrokenRecordsLeaveThePreviousVersion() throws Exception {
        RelyingParty v1 = RelyingPartyTest.party("acme", RelyingParty.Kind.SIGNATURE_VERIFIER,
                Set.of(CertificateType.SIGNATURE), List.of(RelyingPartyTest.HASH), null);
        RelyingParty v2 = v1.withState(RelyingParty.State.SUSPENDED);
        Map<String, RelyingParty> parties = new HashMap<>();
        assertEquals(Optional.empty(), RegistryTopic.apply(record("acme", json(v1)), parties));
        assertEquals(v1, parties.get("acme"), "JSON round trip");
        assertEquals(Optional.empty(), RegistryTopic.apply(record("acme", json(v2)), parties));
        assertEquals(RelyingParty.State.SUSPENDED, parties.get("acme").state());

        assertTrue(RegistryTopic.apply(record("acme", "{not json"), parties).isPresent());
        assertTrue(RegistryTopic.apply(record("other", json(v1)), parties).orElseThrow().contains("is not the id"));
        RelyingParty broken = new RelyingParty(RelyingParty.SCHEMA, "acme", "ACME", RelyingParty.Kind.SIGNATURE_VERIFIER,
                Set.of(CertificateType.AUTHENTICATION), List.of(RelyingPartyTest.HASH), List.of(), null,
                RelyingParty.State.ACTIVE, 3);
        assertTrue(RegistryTopic.apply(record("acme", json(broken)), parties).isPresent());
        RelyingParty badPem = new RelyingParty(RelyingParty.SCHEMA, "acme", "ACME", RelyingParty.Kind.SIGNATURE_VERIFIER,
                Set.of(CertificateType.SIGNATURE), List.of(), List.of("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
                null, RelyingParty.State.ACTIVE, 3);
        assertTrue(RegistryTopic.apply(record("acme", json(badPem)), parties).isPresent(), "a signer certificate that does not parse");
        assertEquals(v2, parties.get("acme"), "refused records change nothing");

        assertEquals(Optional.empty(), RegistryTopic.apply(record("acme", null), parties));
        assertTrue(parties.isEmpty());
    }
}
