package io.testbed.images;

import io.testbed.core.TestbedException;
import org.apiguardian.api.API;

/**
 * A template could not be resolved, built or booted. The message names the template or command that
 * failed and says what to do next.
 */
@API(status = API.Status.INTERNAL)
public class TemplateException extends TestbedException {
    private static final long serialVersionUID = 1L;

    public TemplateException(String message) {
        super(message);
    }

    public TemplateException(String message, Throwable cause) {
        super(message, cause);
    }
}
