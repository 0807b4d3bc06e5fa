package io.testbed.core.journal;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Map;

/**
 * One line of the journal.
 *
 * @param time       when it happened (UTC)
 * @param type       what kind of step, e.g. {@code lease}, {@code network.create}, {@code machine.ready}
 * @param subject    what it concerns, e.g. {@code machine web}
 * @param status     {@code started}, {@code ok}, {@code failed} or a free word for instantaneous events
 * @param durationMs the step's duration, for {@code ok} and {@code failed}
 * @param detail     extra facts (error message, provider id, chosen accelerator, …)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JournalEvent(Instant time, String type, String subject, String status, Long durationMs,
        Map<String, Object> detail) {
    public JournalEvent {
        detail = detail == null ? Map.of() : Map.copyOf(detail);
    }
}
