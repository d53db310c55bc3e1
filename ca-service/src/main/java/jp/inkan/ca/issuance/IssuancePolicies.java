package jp.inkan.ca.issuance;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import jp.inkan.ca.config.CaConfig;

/** Builds the plain policy objects from configuration. */
public class IssuancePolicies {

    @Produces
    @Singleton
    KeyPolicy keyPolicy(CaConfig config) {
        return new KeyPolicy(config.issuance().allowedKeyTypes());
    }

    @Produces
    @Singleton
    ValidityPolicy validityPolicy(CaConfig config) {
        return new ValidityPolicy(config.issuance().validityBirthdays(), config.issuance().renewalWindowMonths());
    }
}
