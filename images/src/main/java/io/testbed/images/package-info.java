/**
 * What the libvirt and the Docker provider share about images: the content-addressed {@link
 * io.testbed.images.TemplateStore} (built-in templates from recipes, local qcow2/raw images), the built-in
 * {@code tiny} template made from Debian packages ({@code TinyTemplateRecipe}, {@code TinyBuild}), a machine's
 * identity as a NoCloud {@link io.testbed.images.SeedIso} (cloud-init YAML plus {@code testbed.env} for the tiny
 * guest), qcow2 overlays ({@link io.testbed.images.QemuImg}) and the {@link io.testbed.images.KvmProbe} that tells
 * whether KVM guests run on this host. Nothing here talks to libvirt or Docker.
 */
package io.testbed.images;
