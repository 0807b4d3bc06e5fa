package io.testbed.junit.internal;

import io.testbed.core.config.TestbedConfig;
import io.testbed.core.engine.Engine;
import io.testbed.core.spec.EnvironmentSpec;
import io.testbed.core.spec.InvalidSpecException;
import io.testbed.core.spi.Provider;
import io.testbed.junit.ValidateLinks;
import java.util.List;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * A class's environment as declared and checked, before anything is provisioned: its annotations mapped to a spec,
 * checked against the configuration, the providers and every injection point. Building one throws (listing every
 * misuse) or yields a spec the engine can provision.
 */
record Declaration(
        Class<?> testClass, Topology topology, TestbedConfig config, Engine engine, SpecMapper.Mapping mapping) {

    /** The checked spec. */
    EnvironmentSpec spec() {
        return mapping.spec().orElseThrow();
    }

    /**
     * Reads and checks the declaration of the owner class of {@code owner}.
     *
     * @throws org.junit.platform.commons.PreconditionViolationException or
     *         {@link org.junit.jupiter.api.extension.ExtensionConfigurationException} listing every misuse
     */
    static Declaration check(ExtensionContext owner) {
        Class<?> testClass = owner.getRequiredTestClass();
        Topology topology = Topology.of(testClass);
        TestbedConfig config = ConfigurationReader.forClass(ConfigurationReader.read(owner), topology);
        Misuses misuses = new Misuses();
        SpecMapper.Mapping mapping = SpecMapper.map(topology, config, misuses);
        Engine engine = Engine.create(config);
        mapping.spec().ifPresent(spec -> {
            try {
                engine.validate(spec);
            } catch (InvalidSpecException e) {
                e.problems().forEach(problem -> misuses.value(mapping.render(problem)));
            }
        });
        InjectionPoints.checkAll(testClass, InjectionPoints.catalog(topology, mapping), misuses);
        AnnotationSupport.findAnnotation(testClass, ValidateLinks.class)
                .filter(validate -> validate.probes() < 10)
                .ifPresent(validate ->
                        misuses.value("@ValidateLinks probes must be at least 10, was " + validate.probes()));
        misuses.throwIfAny(testClass);
        return new Declaration(testClass, topology, config, engine, mapping);
    }

    /**
     * The distinct ways the providers can give the environment its machines (for a class run once per match), at
     * most {@code limit}.
     *
     * @throws org.junit.platform.commons.PreconditionViolationException explaining why there is none
     */
    List<Provider.Choice> choices(int limit) {
        try {
            return engine.choices(spec(), limit);
        } catch (InvalidSpecException e) {
            Misuses misuses = new Misuses();
            e.problems().forEach(problem -> misuses.value(mapping.render(problem)));
            misuses.throwIfAny(testClass);
            throw e;
        }
    }
}
