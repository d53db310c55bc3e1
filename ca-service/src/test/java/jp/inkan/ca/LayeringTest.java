package jp.inkan.ca;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The seams the style guide asks for, enforced. */
@AnalyzeClasses(packages = "jp.inkan.ca", importOptions = ImportOption.DoNotIncludeTests.class)
class LayeringTest {

    @ArchTest
    static final ArchRule onlyTheCryptoEdgeSpeaksBouncyCastle = noClasses()
            .that().resideOutsideOfPackage("jp.inkan.ca.crypto..")
            .should().dependOnClassesThat().resideInAPackage("org.bouncycastle..");

    @ArchTest
    static final ArchRule onlyTheHttpEdgeSpeaksJaxRs = noClasses()
            .that().resideOutsideOfPackage("jp.inkan.ca.api..")
            .should().dependOnClassesThat().resideInAPackage("jakarta.ws.rs..");

    @ArchTest
    static final ArchRule theDomainDoesNotReachUpIntoTheHttpEdge = noClasses()
            .that().resideOutsideOfPackage("jp.inkan.ca.api..")
            .should().dependOnClassesThat().resideInAPackage("jp.inkan.ca.api..");

    @ArchTest
    static final ArchRule onlyTheTokenTalksToPkcs11 = noClasses()
            .that().resideOutsideOfPackage("jp.inkan.ca.hsm..")
            .should().dependOnClassesThat().resideInAPackage("sun.security.pkcs11..");
}
