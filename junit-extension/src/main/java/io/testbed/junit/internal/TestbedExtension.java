package io.testbed.junit.internal;

import io.testbed.core.config.TestbedConfig;
import io.testbed.core.engine.Engine;
import io.testbed.core.engine.EnvironmentHandle;
import io.testbed.core.engine.ProvisioningException;
import io.testbed.core.spec.EnvironmentSpec;
import io.testbed.core.spec.MachineSpec;
import io.testbed.core.spec.NetworkSpec;
import io.testbed.junit.ForEachMatch;
import io.testbed.junit.Keep;
import io.testbed.junit.Network;
import io.testbed.junit.Prefix;
import io.testbed.junit.Revert;
import io.testbed.junit.VM;
import io.testbed.junit.ValidateLinks;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apiguardian.api.API;
import org.junit.jupiter.api.ClassTemplate;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterClassTemplateInvocationCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeClassTemplateInvocationCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ClassTemplateInvocationContext;
import org.junit.jupiter.api.extension.ClassTemplateInvocationContextProvider;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestInstancePostProcessor;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.ModifierSupport;
import org.junit.platform.commons.support.ReflectionSupport;
import org.opentest4j.TestAbortedException;

/**
 * The JUnit Jupiter extension behind {@link Prefix @Prefix}, {@link VM @VM}, {@link Network @Network} and the
 * injection qualifiers; registered by those annotations, not by users. See {@link Prefix} for the contract.
 *
 * <p>Per test class that declares an environment (the <em>owner</em>; {@code @Nested} classes use their enclosing
 * owner's): before the first test, read the configuration, map the annotations to a spec and check it, the
 * configuration, the providers and every injection point of the class and its nested classes — one message lists
 * every problem, nothing is provisioned — then provision, printing progress. The environment lives in the owner's
 * extension context store (closed by JUnit with the context) and is torn down explicitly after the class.
 *
 * <p>After each test: failure artifacts, background jobs killed, settings restored, revert per {@link Revert}.
 */
@API(status = API.Status.INTERNAL)
public final class TestbedExtension
        implements BeforeAllCallback,
                BeforeEachCallback,
                AfterEachCallback,
                AfterAllCallback,
                TestInstancePostProcessor,
                ParameterResolver,
                TestWatcher,
                ClassTemplateInvocationContextProvider,
                BeforeClassTemplateInvocationCallback,
                AfterClassTemplateInvocationCallback {

    private static final Namespace NAMESPACE = Namespace.create(TestbedExtension.class);
    private static final String ENVIRONMENT = "environment";
    private static final String CHOICE = "choice";

    /** Instantiated by JUnit. */
    public TestbedExtension() {}

    @Override
    public ExtensionContextScope getTestInstantiationExtensionContextScope(ExtensionContext rootContext) {
        return ExtensionContextScope.TEST_METHOD;
    }

    /** Provisions the environment of an owner class (unless a per-class test instance did already) and fills static fields. */
    @Override
    public void beforeAll(ExtensionContext context) {
        Optional<ExtensionContext> owner = owner(context);
        if (owner.isEmpty()) {
            return;
        }
        EnvironmentResource resource;
        try {
            resource = stored(owner.get()).get();
        } catch (ProvisioningException e) {
            if (context == owner.get() && e.prefixDir() != null) {
                FailureArtifacts.publishProvisioningFailure(context, e.prefixDir(), System.out);
            }
            throw e;
        }
        if (context != owner.get()) {
            resource.classStarted(context); // a @Nested class; the owner's start is journaled when it provisions
        }
        injectFields(context.getRequiredTestClass(), null, resource, ModifierSupport::isStatic);
    }

    /** Sets the non-static fields of a new test instance. */
    @Override
    public void postProcessTestInstance(Object testInstance, ExtensionContext context) {
        List<Field> fields = InjectionPoints.candidateFields(testInstance.getClass(), ModifierSupport::isNotStatic);
        if (fields.isEmpty()) {
            return;
        }
        Optional<ExtensionContext> owner = owner(context);
        if (owner.isEmpty()) {
            Injection.Point point = Injection.Point.of(fields.get(0));
            throw new ExtensionConfigurationException(noEnvironment(point, testInstance.getClass()));
        }
        injectFields(testInstance.getClass(), testInstance, stored(owner.get()).get(), ModifierSupport::isNotStatic);
    }

    /** Journals the test's start, so the commands of its {@code @BeforeEach} methods and its body belong to it. */
    @Override
    public void beforeEach(ExtensionContext context) {
        provisioned(context).ifPresent(resource -> resource.beforeTest(context));
    }

    /** Journals a disabled test of a provisioned environment as skipped. */
    @Override
    public void testDisabled(ExtensionContext context, Optional<String> reason) {
        provisioned(context).ifPresent(resource -> resource.testSkipped(context, reason));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        provisioned(context).ifPresent(resource -> resource.afterTest(context));
    }

    /** Tears the owner's environment down (or keeps it); after a nested class, reverts per policy. */
    @Override
    public void afterAll(ExtensionContext context) {
        boolean failed = context.getExecutionException()
                .filter(e -> !(e instanceof TestAbortedException))
                .isPresent();
        StoredEnvironment own = context.getStore(NAMESPACE).remove(ENVIRONMENT, StoredEnvironment.class);
        if (own != null) {
            Optional<EnvironmentResource> resource = own.ifProvisioned();
            if (failed) {
                resource.ifPresent(r -> r.classFailed(context));
            }
            resource.ifPresent(r -> r.classFinished(context));
            own.close();
            resource.filter(EnvironmentResource::keeps)
                    .ifPresent(r -> context.publishReportEntry(
                            "testbed.kept", r.environment().prefixDir().toString()));
            return;
        }
        provisioned(context).ifPresent(resource -> {
            if (failed) {
                resource.classFailed(context);
            }
            try {
                resource.afterNestedClass();
            } finally {
                resource.classFinished(context);
            }
        });
    }

    /** A {@link ForEachMatch @ForEachMatch} class is run once per match of its existing hosts. */
    @Override
    public boolean supportsClassTemplate(ExtensionContext context) {
        return AnnotationSupport.isAnnotated(context.getRequiredTestClass(), ForEachMatch.class);
    }

    @Override
    public Stream<ClassTemplateInvocationContext> provideClassTemplateInvocationContexts(ExtensionContext context) {
        return MatchRuns.of(context, NAMESPACE, CHOICE);
    }

    /** Each run of a class template owns its environment: provisioned here, as {@link #beforeAll} does for a class. */
    @Override
    public void beforeClassTemplateInvocation(ExtensionContext context) {
        beforeAll(context);
    }

    @Override
    public void afterClassTemplateInvocation(ExtensionContext context) {
        afterAll(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return Injection.Point.of(parameterContext).isCandidate();
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Injection.Point point = Injection.Point.of(parameterContext);
        try {
            Injection.Request request = Injection.request(point);
            Optional<ExtensionContext> owner = owner(extensionContext);
            if (owner.isEmpty()) {
                throw new ParameterResolutionException(noEnvironment(point, extensionContext.getRequiredTestClass()));
            }
            return Injection.resolve(request, stored(owner.get()).get().environment());
        } catch (Injection.Misuse misuse) {
            throw new ParameterResolutionException(misuse.getMessage());
        }
    }

    private static String noEnvironment(Injection.Point point, Class<?> testClass) {
        return point.subject() + " cannot be injected: class " + testClass.getSimpleName()
                + " declares no Testbed environment; declare machines with @VM on the class, a superclass, an "
                + "enclosing class or a meta-annotation";
    }

    // --- where the environment lives ---------------------------------------------------------------------------

    /**
     * The class-level context that owns the environment {@code context} uses: the innermost class context whose
     * class declares one. A nested class may not declare its own inside an owner.
     *
     * @throws ExtensionConfigurationException when two enclosing class levels declare an environment
     */
    static Optional<ExtensionContext> owner(ExtensionContext context) {
        List<ExtensionContext> declaring = new ArrayList<>();
        for (ExtensionContext current = context;
                current != null;
                current = current.getParent().orElse(null)) {
            if (current.getElement().filter(Class.class::isInstance).isPresent()
                    && !isClassTemplateItself(current)
                    && Topology.of(current.getRequiredTestClass()).declaresEnvironment()) {
                declaring.add(current);
            }
        }
        if (declaring.size() > 1) {
            Class<?> inner = declaring.get(0).getRequiredTestClass();
            Class<?> outer = declaring.get(1).getRequiredTestClass();
            throw new ExtensionConfigurationException("@Nested class " + inner.getSimpleName()
                    + " declares its own Testbed environment ("
                    + Topology.of(inner).describe()
                    + "), but its enclosing class " + outer.getSimpleName() + " has one; nested classes share the "
                    + "enclosing class's environment: move the declarations to " + outer.getSimpleName()
                    + " or make " + inner.getSimpleName() + " a top-level class");
        }
        return declaring.stream().findFirst();
    }

    /**
     * Whether {@code context} is a class template as a whole rather than one of its runs (whose context has the same
     * class and the template's context as parent): the runs own environments, the template none.
     */
    private static boolean isClassTemplateItself(ExtensionContext context) {
        Class<?> testClass = context.getRequiredTestClass();
        return AnnotationSupport.isAnnotated(testClass, ClassTemplate.class)
                && context.getParent()
                        .flatMap(ExtensionContext::getElement)
                        .filter(element -> element == testClass)
                        .isEmpty();
    }

    private static StoredEnvironment stored(ExtensionContext owner) {
        return owner.getStore(NAMESPACE)
                .getOrComputeIfAbsent(
                        ENVIRONMENT, key -> new StoredEnvironment(() -> provision(owner)), StoredEnvironment.class);
    }

    private static Optional<EnvironmentResource> provisioned(ExtensionContext context) {
        StoredEnvironment stored = context.getStore(NAMESPACE).get(ENVIRONMENT, StoredEnvironment.class);
        return stored == null ? Optional.empty() : stored.ifProvisioned();
    }

    // --- provisioning ------------------------------------------------------------------------------------------

    private static EnvironmentResource provision(ExtensionContext owner) {
        Declaration declaration = Declaration.check(owner);
        Class<?> testClass = declaration.testClass();
        Topology topology = declaration.topology();
        TestbedConfig config = declaration.config();
        Engine engine = declaration.engine();
        // a run of a class run once per match provisions the environment with that match fixed
        EnvironmentSpec choice = owner.getStore(NAMESPACE).get(CHOICE, EnvironmentSpec.class);
        EnvironmentSpec spec = choice != null ? choice : declaration.spec();
        PrintStream out = System.out;
        ProgressPrinter progress = new ProgressPrinter(spec.name(), out, config.progress());
        progress.print("provisioning for " + testClass.getSimpleName() + ": "
                + spec.machines().size()
                + " machine(s) "
                + spec.machines().stream().map(MachineSpec::name).toList() + ", "
                + spec.networks().size() + " network(s) "
                + spec.networks().stream().map(NetworkSpec::name).toList());
        EnvironmentHandle handle = engine.provision(spec, progress);
        try {
            AnnotationSupport.findAnnotation(testClass, ValidateLinks.class)
                    .ifPresent(validate -> LinkGate.check(validate, handle.environment(), owner));
            Prefix prefix = topology.prefix().orElse(null);
            Revert revert = prefix == null ? Revert.AFTER_EACH_TEST : prefix.revert();
            Keep keep = prefix == null ? Keep.DEFAULT : prefix.keep();
            if (keep == Keep.DEFAULT) {
                keep = switch (config.keep()) {
                    case NEVER -> Keep.NEVER;
                    case ON_FAILURE -> Keep.ON_FAILURE;
                    case ALWAYS -> Keep.ALWAYS;
                };
            }
            Map<String, List<String>> collect = topology.collectPaths();
            EnvironmentResource resource =
                    new EnvironmentResource(testClass, spec, handle, revert, keep, collect, out, progress);
            resource.classStarted(owner);
            owner.publishReportEntry(
                    "testbed.prefix", handle.environment().prefixDir().toString());
            return resource;
        } catch (RuntimeException | Error e) {
            try {
                handle.close();
            } catch (RuntimeException teardown) {
                e.addSuppressed(teardown);
            }
            throw e;
        }
    }

    private static void injectFields(
            Class<?> type, Object instance, EnvironmentResource resource, Predicate<Field> filter) {
        for (Field field : InjectionPoints.candidateFields(type, filter)) {
            try {
                Injection.Request request = Injection.request(Injection.Point.of(field));
                Object value = Injection.resolve(request, resource.environment());
                ReflectionSupport.makeAccessible(field).set(instance, value);
            } catch (Injection.Misuse misuse) {
                throw new ExtensionConfigurationException(misuse.getMessage());
            } catch (IllegalAccessException e) {
                throw new ExtensionConfigurationException("Cannot set " + Labels.field(field) + ": " + e, e);
            }
        }
    }
}
