package io.testbed.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.LinkedHashSet;
import java.util.Set;
import org.apiguardian.api.API;

/**
 * The rules that keep Testbed's house clear, checked on every {@code mvn verify}.
 *
 * <p>Data flows one way (DESIGN.md): annotations → spec → plan → provider calls. So the core
 * knows no module built on it, providers and images know nothing of JUnit, the extension knows no
 * provider, providers know nothing of each other, no package cycle exists, and the public API
 * (types marked {@code @API} with a status other than {@code INTERNAL}) shows no internal type in
 * a public signature.
 */
@AnalyzeClasses(packages = "io.testbed", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule coreKnowsNoModuleBuiltOnIt = noClasses()
            .that()
            .resideInAPackage("io.testbed.core..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "io.testbed.images..", "io.testbed.provider..", "io.testbed.junit..", "io.testbed.reports..")
            .because("harness-core is the bottom of the reactor: everything depends on it, it on nothing of ours");

    @ArchTest
    static final ArchRule providersAndImagesKnowNothingOfJUnit = noClasses()
            .that()
            .resideInAnyPackage("io.testbed.core..", "io.testbed.images..", "io.testbed.provider..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("org.junit..")
            .because("providers know nothing of JUnit; the extension is the only JUnit glue (DESIGN.md)");

    @ArchTest
    static final ArchRule extensionKnowsNoProvider = noClasses()
            .that()
            .resideInAPackage("io.testbed.junit..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("io.testbed.provider..", "io.testbed.images..")
            .because("the extension knows nothing of libvirt or Docker: providers are found by ServiceLoader");

    @ArchTest
    static final ArchRule providersKnowNothingOfEachOther = slices().matching("io.testbed.provider.(*)..")
            .should()
            .notDependOnEachOther()
            .because("a Docker-only user must not pull libvirt's bindings, and the other way round");

    @ArchTest
    static final ArchRule reportsReadTheJournalNotTheProviders = noClasses()
            .that()
            .resideInAPackage("io.testbed.reports..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("io.testbed.provider..", "io.testbed.images..")
            .because("reports render the journal only")
            .allowEmptyShould(true);

    @ArchTest
    static final ArchRule nothingDependsOnTheCommandLine = noClasses()
            .that()
            .resideOutsideOfPackage("io.testbed.cli..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("io.testbed.cli..")
            .because("the testbed command sits on top of everything: it may use every module, no module uses it");

    /**
     * The one sanctioned back edge: each public annotation registers the extension that reads it
     * ({@code @ExtendWith(TestbedExtension.class)}, as STYLE.md asks), so a user needs no
     * {@code @ExtendWith} of their own; the extension, in turn, reads the annotations.
     */
    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("io.testbed.(**)")
            .should()
            .beFreeOfCycles()
            .ignoreDependency(
                    DescribedPredicate.describe(
                            "a public annotation",
                            (JavaClass c) ->
                                    c.isAnnotation() && c.getPackageName().equals("io.testbed.junit")),
                    DescribedPredicate.describe(
                            "the extension it registers",
                            (JavaClass c) -> c.getName().equals("io.testbed.junit.internal.TestbedExtension")));

    @ArchTest
    static final ArchRule publicApiShowsNoInternalType =
            classes().that(arePublicApi()).should(exposeNoInternalType());

    /** Public types marked {@code @API} with a status other than {@code INTERNAL}. */
    private static DescribedPredicate<JavaClass> arePublicApi() {
        return DescribedPredicate.describe(
                "are public API (@API, not INTERNAL)",
                type -> type.getModifiers().contains(JavaModifier.PUBLIC)
                        && type.tryGetAnnotationOfType(API.class)
                                .map(api -> api.status() != API.Status.INTERNAL)
                                .orElse(false));
    }

    /** Internal: marked {@code @API(status = INTERNAL)}, or in an {@code internal} package. */
    static boolean isInternal(JavaClass type) {
        JavaClass outermost = type;
        while (outermost.getEnclosingClass().isPresent()) {
            outermost = outermost.getEnclosingClass().get();
        }
        return type.getPackageName().contains(".internal")
                || outermost
                        .tryGetAnnotationOfType(API.class)
                        .map(api -> api.status() == API.Status.INTERNAL)
                        .orElse(false);
    }

    private static ArchCondition<JavaClass> exposeNoInternalType() {
        return new ArchCondition<>("show no internal type in a public or protected signature") {
            @Override
            public void check(JavaClass type, ConditionEvents events) {
                Set<String> leaks = new LinkedHashSet<>();
                type.getRawSuperclass()
                        .filter(ArchitectureTest::isInternal)
                        .ifPresent(s -> leaks.add("extends " + s.getName()));
                type.getRawInterfaces().stream()
                        .filter(ArchitectureTest::isInternal)
                        .forEach(i -> leaks.add("implements " + i.getName()));
                for (JavaMember member : type.getMembers()) {
                    if (!visible(member)) {
                        continue;
                    }
                    Set<JavaClass> involved = new LinkedHashSet<>();
                    if (member instanceof JavaCodeUnit codeUnit) {
                        involved.addAll(codeUnit.getReturnType().getAllInvolvedRawTypes());
                        codeUnit.getParameterTypes().forEach(p -> involved.addAll(p.getAllInvolvedRawTypes()));
                    } else if (member instanceof JavaField field) {
                        involved.addAll(field.getType().getAllInvolvedRawTypes());
                    }
                    involved.stream()
                            .filter(ArchitectureTest::isInternal)
                            .forEach(t -> leaks.add(member.getFullName() + " uses " + t.getName()));
                }
                leaks.forEach(leak ->
                        events.add(SimpleConditionEvent.violated(type, "public API " + type.getName() + ": " + leak)));
            }
        };
    }

    private static boolean visible(JavaMember member) {
        Set<JavaModifier> modifiers = member.getModifiers();
        return modifiers.contains(JavaModifier.PUBLIC) || modifiers.contains(JavaModifier.PROTECTED);
    }
}
