package io.testbed.provider.libvirt;

import io.testbed.core.TestbedException;
import java.io.StringWriter;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * A thin, escaping XML writer over the JDK's StAX writer, so libvirt documents are built element by element
 * and never by string concatenation of user values.
 */
final class Xml {

    private final StringWriter out = new StringWriter();
    private final XMLStreamWriter writer;
    private int depth;

    Xml(String root, String... attributes) {
        try {
            writer = XMLOutputFactory.newInstance().createXMLStreamWriter(out);
            writer.writeStartElement(root);
            attributes(attributes);
            depth = 1;
        } catch (XMLStreamException e) {
            throw new TestbedException("Cannot write XML: " + e, e);
        }
    }

    /** Opens an element with attributes given as name, value pairs. */
    Xml open(String name, String... attributes) {
        try {
            newline();
            writer.writeStartElement(name);
            attributes(attributes);
            depth++;
            return this;
        } catch (XMLStreamException e) {
            throw new TestbedException("Cannot write XML: " + e, e);
        }
    }

    /** Opens an element in a namespace, declaring the namespace on it. */
    Xml openNs(String prefix, String name, String namespace, String... attributes) {
        try {
            newline();
            writer.writeStartElement(prefix, name, namespace);
            writer.writeNamespace(prefix, namespace);
            attributes(attributes);
            depth++;
            return this;
        } catch (XMLStreamException e) {
            throw new TestbedException("Cannot write XML: " + e, e);
        }
    }

    /** An element with attributes and no content in a namespace already declared on the root or an ancestor. */
    Xml emptyNs(String prefix, String name, String namespace, String... attributes) {
        try {
            newline();
            writer.writeEmptyElement(prefix, name, namespace);
            attributes(attributes);
            return this;
        } catch (XMLStreamException e) {
            throw new TestbedException("Cannot write XML: " + e, e);
        }
    }

    Xml close() {
        try {
            depth--;
            newline();
            writer.writeEndElement();
            return this;
        } catch (XMLStreamException e) {
            throw new TestbedException("Cannot write XML: " + e, e);
        }
    }

    /** An element with attributes and no content. */
    Xml empty(String name, String... attributes) {
        try {
            newline();
            writer.writeEmptyElement(name);
            attributes(attributes);
            return this;
        } catch (XMLStreamException e) {
            throw new TestbedException("Cannot write XML: " + e, e);
        }
    }

    /** An element with attributes and text content. */
    Xml text(String name, String text, String... attributes) {
        try {
            newline();
            writer.writeStartElement(name);
            attributes(attributes);
            writer.writeCharacters(text);
            writer.writeEndElement();
            return this;
        } catch (XMLStreamException e) {
            throw new TestbedException("Cannot write XML: " + e, e);
        }
    }

    private void attributes(String... attributes) throws XMLStreamException {
        if (attributes.length % 2 != 0) {
            throw new IllegalArgumentException("attributes come in name, value pairs");
        }
        for (int i = 0; i < attributes.length; i += 2) {
            writer.writeAttribute(attributes[i], attributes[i + 1]);
        }
    }

    private void newline() throws XMLStreamException {
        writer.writeCharacters("\n" + "  ".repeat(depth));
    }

    /** Closes the root and returns the document. */
    String render() {
        try {
            while (depth > 1) {
                close();
            }
            writer.writeCharacters("\n");
            writer.writeEndElement();
            writer.flush();
            return out.toString() + "\n";
        } catch (XMLStreamException e) {
            throw new TestbedException("Cannot write XML: " + e, e);
        }
    }
}
