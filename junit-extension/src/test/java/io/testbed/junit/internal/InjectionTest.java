package io.testbed.junit.internal;

import static io.testbed.junit.TestbedAssertions.assertThat;
import static io.testbed.junit.internal.Outcomes.assertAllSucceeded;
import static io.testbed.junit.internal.Outcomes.assertNothingLeaked;

import io.testbed.core.Environment;
import io.testbed.core.Machine;
import io.testbed.core.TestNetwork;
import io.testbed.junit.Host;
import io.testbed.junit.Net;
import io.testbed.junit.Network;
import io.testbed.junit.Role;
import io.testbed.junit.VM;
import io.testbed.junit.local.LocalRecorder;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Machines, networks and the environment injected by name, by role and by type, into parameters and fields. */
class InjectionTest {

    @TempDir
    Path temp;

    Testkit kit;

    @BeforeEach
    void setUp() {
        kit = new Testkit(temp);
    }

    @Network(name = "lan")
    @Network(name = "wan")
    @VM(name = "web", networks = "lan", roles = "frontend")
    @VM(
            name = "api",
            networks = {"lan", "wan"},
            roles = {"frontend", "backend"},
            properties = "tier=middle")
    @VM(name = "db", networks = "wan", roles = "backend")
    static class ThreeTiers {
        static Environment environment;
        static String seenBeforeAll;

        final Machine fromConstructor;

        @Role("backend")
        List<Machine> backends;

        @Net("wan")
        TestNetwork wan;

        @Host("db")
        Machine db;

        ThreeTiers(@Host("api") Machine api) {
            this.fromConstructor = api;
        }

        @BeforeAll
        static void beforeAll(@Host("web") Machine web) {
            seenBeforeAll = web.name();
        }

        @Test
        void byName(@Host("db") Machine db, @Host("web") Machine web) {
            assertThat(db.name()).isEqualTo("db");
            assertThat(web.name()).isEqualTo("web");
        }

        @Test
        void byRole(
                @Role("frontend") List<Machine> frontends,
                @Role("backend&!frontend") Machine onlyBackend,
                @Role("frontend|backend") List<Machine> everyone,
                @Role("!frontend") List<Machine> notFrontend) {
            assertThat(frontends).extracting(Machine::name).containsExactly("web", "api");
            assertThat(onlyBackend.name()).isEqualTo("db");
            assertThat(everyone).extracting(Machine::name).containsExactly("web", "api", "db");
            assertThat(notFrontend).extracting(Machine::name).containsExactly("db");
        }

        @Test
        void everyMachine(List<Machine> all, Environment env) {
            assertThat(all).extracting(Machine::name).containsExactly("web", "api", "db");
            assertThat(env.machines()).isEqualTo(all);
        }

        @Test
        void networksByName(@Net("lan") TestNetwork lan, @Host("api") Machine api) {
            assertThat(lan.name()).isEqualTo("lan");
            assertThat(lan.cidr()).startsWith("198.1");
            assertThat(api.address(lan)).isNotEqualTo(api.address(wan));
        }

        @Test
        void fieldsAndConstructor() {
            assertThat(fromConstructor.name()).isEqualTo("api");
            assertThat(fromConstructor.properties()).containsEntry("tier", "middle");
            assertThat(backends).extracting(Machine::name).containsExactly("api", "db");
            assertThat(wan.name()).isEqualTo("wan");
            assertThat(db.name()).isEqualTo("db");
            assertThat(environment.name()).isEqualTo("three-tiers");
            assertThat(seenBeforeAll).isEqualTo("web");
        }

        @Test
        void theSameMachineObjectWhereverItComesFrom(@Host("api") Machine api, Environment env) {
            assertThat(api)
                    .isSameAs(fromConstructor)
                    .isSameAs(env.machine("api"))
                    .isSameAs(env.machines("backend").get(0));
        }

        @Test
        void machinesRunCommands(@Host("web") Machine web) {
            assertThat(web.run("cat etc/hostname")).succeeded().hasStdout("web");
        }

        @Nested
        class Inner {
            @Host("web")
            Machine web;

            @Test
            void nestedClassesAreInjectedToo(@Host("db") Machine db) {
                assertThat(web.name()).isEqualTo("web");
                assertThat(db.name()).isEqualTo("db");
            }
        }
    }

    @Test
    void injectsByNameRoleAndTypeIntoParametersFieldsAndConstructors() {
        assertAllSucceeded(kit.run(ThreeTiers.class), 8);
        assertThat(LocalRecorder.prefixes("three-tiers")).hasSize(1);
        assertNothingLeaked();
    }

    // --- by type when there is exactly one

    @Network(name = "lan")
    @VM(name = "solo", networks = "lan")
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    static class OnlyOne {
        Machine machine;
        TestNetwork network;

        @BeforeAll
        void fieldsAreSetBeforeBeforeAll(Environment env) {
            assertThat(machine).isNotNull();
            LocalRecorder.mark(env, "before all");
        }

        @Test
        void byType(Machine solo, TestNetwork lan) {
            assertThat(solo.name()).isEqualTo("solo");
            assertThat(lan.name()).isEqualTo("lan");
            assertThat(machine).isSameAs(solo);
            assertThat(network).isEqualTo(lan);
        }
    }

    @Test
    void injectsByTypeWhenThereIsExactlyOneAlsoPerClass() {
        assertAllSucceeded(kit.run(OnlyOne.class), 1);
        assertThat(LocalRecorder.events("only-one"))
                .containsOnlyOnce("machine solo create")
                .contains("before all");
        assertNothingLeaked();
    }

    // --- role expressions on the live environment (misuses are rejected before provisioning, see MisuseTest)

    @VM(name = "web", roles = "frontend")
    @VM(
            name = "api",
            roles = {"frontend", "backend"})
    static class RoleSelection {
        @Test
        void single(@Role("frontend&!backend") Machine web, @Role("backend") Machine api) {
            assertThat(web.name()).isEqualTo("web");
            assertThat(api.name()).isEqualTo("api");
        }

        @Test
        void lists(@Role("frontend") List<Machine> frontends, @Role("backend") List<Machine> backends) {
            assertThat(frontends).extracting(Machine::name).containsExactly("web", "api");
            assertThat(backends).extracting(Machine::name).containsExactly("api");
        }
    }

    @Test
    void injectsTheMachinesARoleExpressionSelects() {
        assertAllSucceeded(kit.run(RoleSelection.class), 2);
        assertNothingLeaked();
    }
}
