package jp.inkan.ca.bench;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import jp.inkan.ca.authority.KeyGeneration;
import jp.inkan.ca.authority.KeyGenerations;
import jp.inkan.ca.crypto.X509Encoder;
import jp.inkan.ca.hsm.CertificateSigner;
import jp.inkan.ca.inventory.CertificateStore;
import jp.inkan.ca.issuance.*;
import jp.inkan.ca.testing.Requests;
import jp.inkan.common.CertificateType;
import jp.inkan.common.ca.IssuanceRequest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@QuarkusTest
@Tag("bench")
class StageTimingBenchmark {
    @Inject IssuanceRequestValidator validator;
    @Inject KeyPolicy keyPolicy;
    @Inject CertificateStore store;
    @Inject KeyGenerations generations;
    @Inject JpkiProfile profile;
    @Inject X509Encoder encoder;
    @Inject CertificateSigner signer;
    @Inject SerialNumbers serials;
    @Inject ValidityPolicy validity;
    @Inject IssuanceService issuance;

    @Test
    void stages() {
        CardKeys keys = new CardKeys(60);
        List<String> csrs = keys.csrs(1500);
        long[] t = new long[8];
        int n = 0;
        for (int round = 0; round < 2; round++) {
            java.util.Arrays.fill(t, 0);
            n = 0;
            for (int i = round * 700; i < round * 700 + 700; i++) {
                IssuanceRequest r = Requests.typical(CertificateType.SIGNATURE, csrs.get(i));
                long a = System.nanoTime();
                IssuanceCommand c = validator.validate(r, LocalDate.now());
                long b = System.nanoTime();
                keyPolicy.check(c.csr().publicKey());
                long d = System.nanoTime();
                Optional<Instant> auth = store.validAuthenticationNotAfter(c.cardSerial(), Instant.now());
                long e = System.nanoTime();
                int seq = store.nextSubjectSequence();
                KeyGeneration g = generations.issuing(CertificateType.SIGNATURE).orElseThrow();
                long f = System.nanoTime();
                var w = validity.window(Instant.now(), c.holder().dateOfBirth(), c.cardExpiry(), Optional.empty(), auth).orElseThrow();
                var subject = profile.subject(c, Instant.now(), seq);
                var spec = profile.certificate(c, g, serials.next(), w, subject);
                long h = System.nanoTime();
                byte[] der = encoder.endEntity(spec, tbs -> signer.sign(g.keyAlias(), g.algorithm(), tbs));
                long k = System.nanoTime();
                store.record(new CertificateStore.NewCertificate(CertificateType.SIGNATURE, g.id(), spec.serial(), encoder.render(subject), w.notBefore(), w.notAfter(), "131016", c.cardSerial(), java.util.HexFormat.of().parseHex(Integer.toHexString(i + 0x10000000) + "00000000000000000000000000000000000000000000000000000000"), der, Instant.now()));
                long m = System.nanoTime();
                t[0] += b - a; t[1] += d - b; t[2] += e - d; t[3] += f - e; t[4] += h - f; t[5] += k - h; t[6] += m - k;
                n++;
            }
        }
        String[] names = {"validate", "keyPolicy", "authLookup", "sequence", "profile", "build+sign", "record"};
        for (int i = 0; i < 7; i++) System.out.printf("STAGE %-12s %.3f ms%n", names[i], t[i] / 1e6 / n);
    }
}
