package jp.inkan.ocsp.issuers;

import java.util.List;
import jp.inkan.common.ca.CaGeneration;
import jp.inkan.common.ca.ResponderCertificate;
import jp.inkan.common.ca.ResponderCertificateRequest;

/** The two calls the responder makes to ca-service. */
public interface CaServiceApi {

    /** Every key generation of both CAs, with its root. */
    List<CaGeneration> generations();

    /** A delegated responder certificate for the CSR's key. */
    ResponderCertificate issueResponderCertificate(ResponderCertificateRequest request);
}
