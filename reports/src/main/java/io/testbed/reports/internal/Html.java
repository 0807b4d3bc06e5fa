package io.testbed.reports.internal;

/**
 * A small HTML (and inline SVG) writer that escapes every piece of text and every attribute value it is given, so
 * that command output, test names and failure messages can never become markup. Element and attribute names are
 * the caller's constants; only {@link #raw(String)} writes unescaped text, for the report's own CSS and script.
 */
public final class Html {

    private final StringBuilder out;

    /** A writer appending to {@code out}. */
    public Html(StringBuilder out) {
        this.out = out;
    }

    /**
     * {@code text} safe as element content and as a quoted attribute value: {@code & < > " '} as entities, control
     * characters other than tab, line feed and carriage return (invalid in HTML) and lone surrogates as U+FFFD.
     */
    public static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(text.length() + 16);
        escapeInto(b, text);
        return b.toString();
    }

    private static void escapeInto(StringBuilder b, String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                case '\t', '\n', '\r' -> b.append(c);
                default -> {
                    if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                        b.append('\uFFFD');
                    } else if (Character.isHighSurrogate(c)
                            && i + 1 < text.length()
                            && Character.isLowSurrogate(text.charAt(i + 1))) {
                        b.append(c).append(text.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        b.append('\uFFFD');
                    } else {
                        b.append(c);
                    }
                }
            }
        }
    }

    /**
     * Opens element {@code tag} with attributes given as name, value pairs; a pair whose value is null is left out.
     */
    public Html open(String tag, String... attributes) {
        out.append('<').append(tag);
        if (attributes.length % 2 != 0) {
            throw new IllegalArgumentException("attributes come in name, value pairs: " + attributes.length);
        }
        for (int i = 0; i < attributes.length; i += 2) {
            if (attributes[i + 1] != null) {
                out.append(' ').append(attributes[i]).append("=\"");
                escapeInto(out, attributes[i + 1]);
                out.append('"');
            }
        }
        out.append('>');
        return this;
    }

    /** An element without content, such as {@code <rect …/>} in SVG. */
    public Html empty(String tag, String... attributes) {
        open(tag, attributes);
        out.setLength(out.length() - 1);
        out.append("/>");
        return this;
    }

    /** Closes element {@code tag}. */
    public Html close(String tag) {
        out.append("</").append(tag).append('>');
        return this;
    }

    /** Escaped text. */
    public Html text(Object text) {
        escapeInto(out, text == null ? "" : String.valueOf(text));
        return this;
    }

    /** An element holding escaped {@code text}. */
    public Html element(String tag, Object text, String... attributes) {
        return open(tag, attributes).text(text).close(tag);
    }

    /** Trusted markup, written as it is: the report's own constants only, never data. */
    public Html raw(String trusted) {
        out.append(trusted);
        return this;
    }
}
