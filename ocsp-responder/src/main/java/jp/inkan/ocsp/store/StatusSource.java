package jp.inkan.ocsp.store;

import java.math.BigInteger;
import java.util.Optional;

/** Where an answer comes from: the status of a serial under one issuing key, if that key ever issued it. */
public interface StatusSource {

    /** @param issuerKeyId hex SHA-1 subject key identifier of the issuing key generation, lower case */
    Optional<CertificateStatus> find(String issuerKeyId, BigInteger serial);
}
