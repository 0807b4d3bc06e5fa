package io.testbed.examples;

import io.testbed.junit.Disk;
import io.testbed.junit.Network;
import io.testbed.junit.VM;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A topology declared once and used by several test classes ({@link DataDiskIT}, {@link BackgroundJobsIT}): the
 * Testbed annotations work as meta-annotations, so a composed annotation names an environment like a type.
 *
 * <p>One leased network {@code lan}; a VM {@code web} (role {@code frontend}) and a VM {@code db} (role
 * {@code backend}) with an extra 64 MiB data disk {@code data}. Each class carrying {@code @TwoNodeLan} still gets an
 * environment of its own, on a subnet of its own; a class may add more {@code @VM}s or a {@code @Prefix} next to it.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Network(name = "lan")
@VM(name = "web", memoryMb = 128, networks = "lan", roles = "frontend")
@VM(name = "db", memoryMb = 128, networks = "lan", roles = "backend", disks = @Disk(name = "data", sizeMb = 64))
public @interface TwoNodeLan {}
