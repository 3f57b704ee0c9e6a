package dev.dsv.ingest;

import dev.dsv.error.DsvException;
import dev.dsv.error.ExitCode;
import dev.dsv.error.Problem;
import dev.dsv.model.CanonicalJson;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.parsers.SAXParser;
import javax.xml.parsers.SAXParserFactory;
import org.xml.sax.Attributes;
import org.xml.sax.Locator;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * An XML element read from an annotation file, with the line its start tag ends on, for the
 * Pascal VOC and CVAT importers. Parsing rejects any DOCTYPE, so neither external entities nor
 * DTDs are ever loaded (no XXE).
 */
final class XmlTree {
    final String name;
    final int line;
    final Map<String, String> attributes = new LinkedHashMap<>();
    final List<XmlTree> children = new ArrayList<>();
    private final StringBuilder text = new StringBuilder();

    private XmlTree(String name, int line) {
        this.name = name;
        this.line = line;
    }

    /** Returns the element's own text, stripped. */
    String text() {
        return text.toString().strip();
    }

    /** Returns the first child element with the name, or null. */
    XmlTree child(String childName) {
        for (XmlTree c : children) {
            if (c.name.equals(childName)) {
                return c;
            }
        }
        return null;
    }

    /** Returns the child elements with the name. */
    List<XmlTree> children(String childName) {
        return children.stream().filter(c -> c.name.equals(childName)).toList();
    }

    /** Returns the text of the first child with the name, or null when there is none. */
    String childText(String childName) {
        XmlTree c = child(childName);
        return c == null ? null : c.text();
    }

    /**
     * Parses a file into its root element. A file that is not well-formed XML, or that has a
     * DOCTYPE, raises exit 3 naming {@code FILE:LINE:COLUMN}.
     */
    static XmlTree parse(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new DsvException(ExitCode.INVALID_INPUT, "error.labels.notFound", file);
        }
        Builder builder = new Builder();
        try (InputStream in = Files.newInputStream(file)) {
            parser().parse(in, builder);
        } catch (SAXParseException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.xml.malformed",
                    file + ":" + e.getLineNumber() + ":" + e.getColumnNumber(), e.getMessage());
        } catch (SAXException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.xml.malformed", file, e.getMessage());
        } catch (IOException e) {
            throw new DsvException(ExitCode.INVALID_INPUT, e, "error.labels.unreadable", file, String.valueOf(e.getMessage()));
        }
        return builder.root;
    }

    private static SAXParser parser() throws SAXException {
        try {
            SAXParserFactory factory = SAXParserFactory.newInstance();
            factory.setNamespaceAware(false);
            factory.setValidating(false);
            factory.setXIncludeAware(false);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
            factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            SAXParser parser = factory.newSAXParser();
            parser.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            parser.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            return parser;
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the JDK XML parser lacks a required safety feature", e);
        }
    }

    /** Builds the element tree from SAX events. */
    private static final class Builder extends DefaultHandler {
        private final Deque<XmlTree> open = new ArrayDeque<>();
        private Locator locator;
        XmlTree root;

        @Override
        public void setDocumentLocator(Locator locator) {
            this.locator = locator;
        }

        @Override
        public void startElement(String uri, String localName, String qName, Attributes attrs) {
            XmlTree element = new XmlTree(qName, locator == null ? 0 : locator.getLineNumber());
            for (int i = 0; i < attrs.getLength(); i++) {
                element.attributes.put(attrs.getQName(i), attrs.getValue(i));
            }
            if (open.isEmpty()) {
                root = element;
            } else {
                open.peek().children.add(element);
            }
            open.push(element);
        }

        @Override
        public void endElement(String uri, String localName, String qName) {
            open.pop();
        }

        @Override
        public void characters(char[] ch, int start, int length) {
            if (!open.isEmpty()) {
                open.peek().text.append(ch, start, length);
            }
        }
    }

    /**
     * Returns a decimal number, or null after adding a problem naming {@code where} and
     * {@code what} (the element or attribute) when the value is missing or not a number.
     */
    static BigDecimal number(String value, String what, String where, List<Problem> problems) {
        if (value == null) {
            problems.add(new Problem("error.xml.missing", where, what));
            return null;
        }
        try {
            return CanonicalJson.parseModest(value.strip());
        } catch (NumberFormatException e) {
            problems.add(new Problem("error.xml.notNumber", where, what, value));
            return null;
        }
    }

    /** Returns true when {@code value} lies in [0, extent]. */
    static boolean inside(BigDecimal value, int extent) {
        return value.signum() >= 0 && value.compareTo(BigDecimal.valueOf(extent)) <= 0;
    }
}
