package io.testbed.core.internal.json;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.apiguardian.api.API;

/**
 * The one JSON mapper of Testbed: records, {@code java.time} values as ISO-8601 text, {@code Optional}s, and
 * unknown properties ignored on reading (so a newer writer's extra fields do not break an older reader).
 * {@link ObjectMapper} is thread-safe once configured, and building one is costly, so every class shares this one.
 * Never reconfigure it: take a {@link ObjectMapper#copy() copy} or a reader/writer for other settings.
 *
 * <p>In a package of its own, apart from {@code internal.support}, because the public {@code ExecResult} parses
 * with it while the support layer throws the public {@code TestbedException}: one package for both would make a
 * cycle between the API and its internals.
 */
@API(status = API.Status.INTERNAL)
public final class Json {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .registerModule(new Jdk8Module())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final ObjectWriter PRETTY = MAPPER.writerWithDefaultPrettyPrinter();

    private Json() {}

    /** The shared mapper (compact output). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** A writer of indented output, for files people read. */
    public static ObjectWriter pretty() {
        return PRETTY;
    }
}
