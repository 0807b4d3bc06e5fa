/**
 * Small helpers every module of Testbed shares, written once: a lock that excludes both threads and processes,
 * atomic file replacement, deadlines for polling loops, a runner for local programs, POSIX shell quoting, capped
 * output buffers and POSIX file modes. The one JSON mapper is beside it, in {@code internal.json}. Internal: not
 * for users or provider authors outside this repository; it changes without notice.
 */
package io.testbed.core.internal.support;
