package io.testbed.reports.internal;

/** A network of an environment with its leased subnet. */
public record NetworkModel(String name, String mode, String subnet) {}
