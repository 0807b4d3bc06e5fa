package io.testbed.core.prefix;

import java.time.Instant;
import org.apiguardian.api.API;

/**
 * What {@code prefix.json} holds.
 *
 * @param id             the prefix uuid
 * @param name           the environment name
 * @param pid            the process that created it
 * @param pidStartTime   that process's start time, so a recycled pid is not mistaken for the owner
 * @param created        when the prefix was created
 */
@API(status = API.Status.EXPERIMENTAL)
public record PrefixMetadata(String id, String name, long pid, Instant pidStartTime, Instant created) {}
