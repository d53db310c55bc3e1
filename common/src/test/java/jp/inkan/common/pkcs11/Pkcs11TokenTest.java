package jp.inkan.common.pkcs11;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.ProviderException;
import java.security.SignatureException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class Pkcs11TokenTest {

    @Test
    void aSessionLossIsFoundAnywhereInTheCauseChain() {
        // SunPKCS11 wraps the PKCS11Exception (whose message is the CKR_ name) in a ProviderException.
        Exception wrapped = new SignatureException("sign failed",
                new ProviderException(new IllegalStateException("CKR_SESSION_HANDLE_INVALID")));
        assertEquals(Optional.of("CKR_SESSION_HANDLE_INVALID"), Pkcs11Token.sessionLoss(wrapped));
        assertEquals(Optional.of("CKR_USER_NOT_LOGGED_IN"),
                Pkcs11Token.sessionLoss(new ProviderException("CKR_USER_NOT_LOGGED_IN")));
        assertEquals(Optional.of("Token has been removed"),
                Pkcs11Token.sessionLoss(new ProviderException("Token has been removed")));
    }

    @Test
    void aRefusalIsNotASessionLoss() {
        assertTrue(Pkcs11Token.sessionLoss(new ProviderException("CKR_KEY_TYPE_INCONSISTENT")).isEmpty());
        assertTrue(Pkcs11Token.sessionLoss(new SignatureException("CKR_DATA_LEN_RANGE")).isEmpty());
        assertTrue(Pkcs11Token.sessionLoss(new IllegalArgumentException((String) null)).isEmpty());
    }
}
