/**
 * The {@code testbed} command line (picocli): {@code doctor}, {@code ls}, {@code logs}, {@code ssh}, {@code destroy},
 * {@code janitor} and {@code report}, over the owner registry, lease store, prefixes and journals the engine and
 * its reaper use. Internal: the command line is the interface, not these classes — except {@link
 * io.testbed.cli.Janitor}, which other tools of this repository call in-process.
 */
package io.testbed.cli;
