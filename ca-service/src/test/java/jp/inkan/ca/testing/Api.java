package jp.inkan.ca.testing;

import io.restassured.specification.RequestSpecification;
import jp.inkan.testing.Mtls;
import org.eclipse.microprofile.config.ConfigProvider;

/** Calls to the ca-service under test over mutual TLS, as the registration service by default. */
public final class Api {

    public static final String REGISTRATION = "registration-service";

    private Api() {
    }

    public static RequestSpecification given() {
        return as(REGISTRATION);
    }

    /** As another holder of a dev PKI certificate, or with none when {@code identity} is null. */
    public static RequestSpecification as(String identity) {
        return Mtls.given(ConfigProvider.getConfig().getValue("quarkus.http.test-ssl-port", Integer.class), identity);
    }
}
