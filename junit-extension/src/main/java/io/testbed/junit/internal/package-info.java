/**
 * The implementation of Testbed's JUnit extension; not for users. The extension is registered by the annotations
 * of {@link io.testbed.junit}.
 */
package io.testbed.junit.internal;
