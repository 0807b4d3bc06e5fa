/**
 * What the engine and the JUnit extension share and users must not touch: the harness's hooks on a machine
 * ({@link io.testbed.core.internal.MachineControl}); sub-packages hold the support layer, the JSON mapper and the
 * owner registry. Internal: changes without notice.
 */
package io.testbed.core.internal;
