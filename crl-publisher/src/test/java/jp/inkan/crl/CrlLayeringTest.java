package jp.inkan.crl;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The seams the style guide asks for, enforced. */
@AnalyzeClasses(packages = "jp.inkan.crl", importOptions = ImportOption.DoNotIncludeTests.class)
class CrlLayeringTest {

    @ArchTest
    static final ArchRule onlyTheDerEdgeSpeaksBouncyCastle = noClasses()
            .that().resideOutsideOfPackage("jp.inkan.crl.der..")
            .should().dependOnClassesThat().resideInAPackage("org.bouncycastle..");

    @ArchTest
    static final ArchRule onlyTheHttpEdgeSpeaksVertx = noClasses()
            .that().resideOutsideOfPackage("jp.inkan.crl.http..")
            .should().dependOnClassesThat().resideInAPackage("io.vertx..");

    @ArchTest
    static final ArchRule onlyTheEventsEdgeSpeaksKafka = noClasses()
            .that().resideOutsideOfPackage("jp.inkan.crl.events..")
            .should().dependOnClassesThat().resideInAPackage("org.apache.kafka..");

    @ArchTest
    static final ArchRule theDomainDoesNotReachUpIntoTheHttpEdge = noClasses()
            .that().resideOutsideOfPackage("jp.inkan.crl.http..")
            .should().dependOnClassesThat().resideInAPackage("jp.inkan.crl.http..");
}
