package dev.statefront.tests;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The module rules of ARCHITECTURE.md, as code. */
class ArchitectureTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.statefront");
    }

    @Test
    void processorAndStateServerShouldNeverImportEachOther() {
        noClasses().that().resideInAPackage("dev.statefront.processor..")
                .should().dependOnClassesThat().resideInAPackage("dev.statefront.state..")
                .because("the processor and state servers meet only through Kafka topics and core's formats; "
                        + "move shared formats to dev.statefront.core")
                .check(classes);
        noClasses().that().resideInAPackage("dev.statefront.state..")
                .should().dependOnClassesThat().resideInAPackage("dev.statefront.processor..")
                .because("the processor and state servers meet only through Kafka topics and core's formats; "
                        + "move shared formats to dev.statefront.core")
                .check(classes);
    }

    @Test
    void coreShouldKnowNoOtherModule() {
        noClasses().that().resideInAPackage("dev.statefront.core..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.statefront.processor..",
                        "dev.statefront.state..", "dev.statefront.gateway..", "dev.statefront.ingest..",
                        "dev.statefront.app..")
                .because("core is the shared vocabulary every module builds on; depend the other way round")
                .check(classes);
    }

    @Test
    void onlyStoragePackagesShouldImportRocksDb() {
        noClasses().that().resideOutsideOfPackages("dev.statefront.processor.state..", "dev.statefront.state.store..")
                .should().dependOnClassesThat().resideInAPackage("org.rocksdb..")
                .because("RocksDB is an implementation detail of the stores; go through TaskStore or the "
                        + "state server's store API instead")
                .check(classes);
    }

    @Test
    void internalsShouldStayInsideTheirModule() {
        noClasses().that().resideOutsideOfPackage("dev.statefront.processor..")
                .should().dependOnClassesThat().resideInAPackage("dev.statefront.processor.internals..")
                .because("internals are not API; add what you need to the processor's public classes")
                .check(classes);
        noClasses().that().resideOutsideOfPackage("dev.statefront.state..")
                .should().dependOnClassesThat().resideInAPackage("dev.statefront.state.internals..")
                .because("internals are not API; add what you need to the state server's public classes")
                .check(classes);
    }

    @Test
    void onlyTheAppShouldWireRolesTogether() {
        noClasses().that().resideInAnyPackage("dev.statefront.processor..", "dev.statefront.state..",
                        "dev.statefront.ingest..")
                .should().dependOnClassesThat().resideInAPackage("dev.statefront.gateway..")
                .because("the gateway sits on top; lower modules must not call up into it")
                .check(classes);
    }
}
