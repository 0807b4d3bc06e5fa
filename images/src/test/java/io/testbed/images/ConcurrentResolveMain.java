package io.testbed.images;

import java.nio.file.Path;
import java.util.List;

/** A separate JVM for {@link TemplateStoreConcurrencyIT}: resolves the slow fake template once. */
final class ConcurrentResolveMain {

    private ConcurrentResolveMain() {}

    public static void main(String[] args) {
        TemplateStoreTest.CountingRecipe recipe = new TemplateStoreTest.CountingRecipe();
        recipe.buildMillis = 5000;
        TemplateStore store =
                new TemplateStore(Path.of(args[0]), line -> System.out.println("LOG " + line), List.of(recipe));
        Template template = store.resolve("fake");
        System.out.println("BUILDS=" + store.buildCount());
        System.out.println("DISK=" + template.disk());
    }
}
