package io.testbed.junit.internal;

import io.testbed.core.Environment;
import io.testbed.core.LinkValidation;
import io.testbed.core.TestbedException;
import io.testbed.junit.ValidateLinks;
import java.util.List;
import org.junit.jupiter.api.extension.ExtensionContext;

/** {@link ValidateLinks @ValidateLinks}: measures the declared links before the first test and fails the class. */
final class LinkGate {

    private LinkGate() {}

    static void check(ValidateLinks validate, Environment environment, ExtensionContext owner) {
        LinkValidation validation = environment.links().validate(validate.probes());
        owner.publishReportEntry("testbed.links", validation.render());
        LinkValidation.Tolerance tolerance = new LinkValidation.Tolerance(
                validate.delayPercent() / 100,
                validate.baseRttMs(),
                validate.lossPoints(),
                validate.ratePercent() / 100);
        List<LinkValidation.Row> outside = validation.outside(tolerance);
        if (!outside.isEmpty()) {
            throw new TestbedException("@ValidateLinks: " + outside.size() + " of "
                    + validation.rows().size()
                    + " pair(s) measured outside the tolerance (round trip ±" + validate.delayPercent() + " % + "
                    + validate.baseRttMs() + " ms, loss ±" + validate.lossPoints() + " points, rate ±"
                    + validate.ratePercent() + " %): "
                    + outside.stream().map(r -> r.from() + " -> " + r.to()).toList()
                    + System.lineSeparator() + validation.render());
        }
    }
}
