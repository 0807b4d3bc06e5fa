package io.testbed.bench;

/** A benchmark could not be run or left something behind; the message says what and what to do. */
final class BenchException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    BenchException(String message) {
        super(message);
    }

    BenchException(String message, Throwable cause) {
        super(message, cause);
    }
}
