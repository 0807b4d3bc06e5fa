/**
 * Implementation of the SSH-host provider: YAML reading, quantities and property kinds, the search and its
 * explanations, the lease index. Not API: use the types of {@code io.testbed.provider.ssh}.
 */
package io.testbed.provider.ssh.internal;
