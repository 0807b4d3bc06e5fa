package io.testbed.provider.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import io.testbed.core.TestbedException;

/** The never-pull policy: images must already be in the local engine. */
final class Images {

    private Images() {}

    /** Whether the local engine has {@code image} (a name, name:tag or id); never contacts a registry. */
    static boolean exists(DockerClient docker, String image) {
        try {
            DockerClients.call(
                    "inspect image " + image,
                    () -> docker.inspectImageCmd(image).exec());
            return true;
        } catch (TestbedException e) {
            if (e.getCause() instanceof NotFoundException) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Fails unless the local engine has {@code image}.
     *
     * @throws TestbedException with {@link #missing(String)} as message
     */
    static void requireLocal(DockerClient docker, String image) {
        if (!exists(docker, image)) {
            throw new TestbedException(missing(image));
        }
    }

    /**
     * Why a missing image is an error, and how to get it: {@code image '…' is not in the local Docker engine, …}.
     */
    static String missing(String image) {
        return "image " + notLocal(image);
    }

    /**
     * {@link #missing} without its leading word, for a problem already labelled with the {@code image} attribute:
     * {@code @DockerHost(name = "db") image 'x' is not in the local Docker engine, …}.
     */
    static String notLocal(String image) {
        return "'" + image + "' is not in the local Docker engine, and Testbed never pulls from a registry."
                + " Put it there first: docker load -i FILE.tar (a docker save archive), docker import ROOTFS.tar "
                + image + ", or docker build -t " + image + " DIR; or leave the image empty (or 'tiny') to use"
                + " Testbed's built-in tiny image";
    }
}
