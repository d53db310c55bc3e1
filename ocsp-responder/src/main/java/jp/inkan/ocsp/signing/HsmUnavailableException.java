package jp.inkan.ocsp.signing;

/** The token refused or could not be reached; the message never carries the PIN. */
public class HsmUnavailableException extends RuntimeException {

    public HsmUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    public HsmUnavailableException(String message) {
        super(message);
    }
}
