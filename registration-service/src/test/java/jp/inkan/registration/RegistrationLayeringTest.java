package jp.inkan.registration;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The seams the style guide asks for, enforced. */
@AnalyzeClasses(packages = "jp.inkan.registration", importOptions = ImportOption.DoNotIncludeTests.class)
class RegistrationLayeringTest {

    @ArchTest
    static final ArchRule onlyTheCsrEdgeSpeaksBouncyCastle = noClasses()
            .that().resideOutsideOfPackage("jp.inkan.registration.csr..")
            .should().dependOnClassesThat().resideInAPackage("org.bouncycastle..");

    /** JAX-RS at the two HTTP edges: the municipalities' API and the ca-service client. */
    @ArchTest
    static final ArchRule onlyTheHttpEdgesSpeakJaxRs = noClasses()
            .that().resideOutsideOfPackages("jp.inkan.registration.api..", "jp.inkan.registration.ca..")
            .should().dependOnClassesThat().resideInAPackage("jakarta.ws.rs..");

    @ArchTest
    static final ArchRule theDomainDoesNotReachUpIntoTheHttpEdge = noClasses()
            .that().resideOutsideOfPackage("jp.inkan.registration.api..")
            .should().dependOnClassesThat().resideInAPackage("jp.inkan.registration.api..");

    @ArchTest
    static final ArchRule onlyTheApiSpeaksVertx = noClasses()
            .that().resideOutsideOfPackage("jp.inkan.registration.api..")
            .should().dependOnClassesThat().resideInAPackage("io.vertx..");
}
