package io.testbed.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResourceStateTest {

    @Test
    void followsTheDeclaredLifecycle() {
        List<ResourceState> seen = new ArrayList<>();
        Lifecycle lifecycle = new Lifecycle("machine 'web'", l -> seen.add(l.state()));
        for (ResourceState next : List.of(
                ResourceState.CREATED,
                ResourceState.RUNNING,
                ResourceState.PAUSED,
                ResourceState.RUNNING,
                ResourceState.STOPPED,
                ResourceState.DESTROYED)) {
            lifecycle.moveTo(next);
        }
        assertThat(seen)
                .containsExactly(
                        ResourceState.CREATED,
                        ResourceState.RUNNING,
                        ResourceState.PAUSED,
                        ResourceState.RUNNING,
                        ResourceState.STOPPED,
                        ResourceState.DESTROYED);
        assertThat(lifecycle.needsDestroy()).isFalse();
    }

    @Test
    void illegalTransitionNamesBothStates() {
        Lifecycle lifecycle = new Lifecycle("machine 'web'", l -> {});
        lifecycle.moveTo(ResourceState.CREATED);
        assertThatThrownBy(() -> lifecycle.moveTo(ResourceState.PAUSED))
                .isInstanceOf(IllegalTransitionException.class)
                .hasMessage("machine 'web' cannot go from CREATED to PAUSED; allowed from CREATED: "
                        + "[RUNNING, DESTROYED, ERROR]");
        assertThat(lifecycle.state()).isEqualTo(ResourceState.CREATED);
    }

    @Test
    void destroyedIsFinal() {
        Lifecycle lifecycle = new Lifecycle("network 'lan'", l -> {});
        lifecycle.moveTo(ResourceState.DESTROYED);
        assertThatThrownBy(() -> lifecycle.moveTo(ResourceState.CREATED))
                .hasMessage("network 'lan' cannot go from DESTROYED to CREATED; allowed from DESTROYED: "
                        + "nothing (final state)");
    }

    @Test
    void errorCanOnlyBeDestroyed() {
        Lifecycle lifecycle = new Lifecycle("machine 'db'", l -> {});
        lifecycle.moveTo(ResourceState.ERROR);
        assertThat(lifecycle.needsDestroy()).isTrue();
        assertThat(ResourceState.ERROR.successors()).containsExactly(ResourceState.DESTROYED);
    }
}
