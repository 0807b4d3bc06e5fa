/** The one JSON mapper of Testbed ({@link io.testbed.core.internal.json.Json}). Internal. */
package io.testbed.core.internal.json;
