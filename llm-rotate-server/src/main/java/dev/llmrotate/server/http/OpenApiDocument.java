package dev.llmrotate.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The OpenAPI 3.1 document of every endpoint, kept as {@code openapi.yaml} beside this class (easier to read and
 * review than JSON) and served as JSON at {@code /openapi.json}. A test checks that it names every route and every
 * query parameter the router accepts, and nothing more.
 */
public final class OpenApiDocument {
    private static final String RESOURCE = "openapi.yaml";

    private OpenApiDocument() {}

    /**
     * The document as a tree.
     *
     * @param version the server's version, set as {@code info.version}
     * @return a new tree, the caller's to change
     * @throws UncheckedIOException when the resource cannot be read
     */
    public static ObjectNode tree(String version) {
        try (InputStream in = OpenApiDocument.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the class path");
            }
            ObjectNode doc = (ObjectNode) new ObjectMapper(new YAMLFactory()).readTree(in);
            ((ObjectNode) doc.get("info")).put("version", version);
            return doc;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    /**
     * The document as JSON, the body of {@code /openapi.json}.
     *
     * @param version the server's version, set as {@code info.version}
     * @return UTF-8 JSON bytes
     */
    public static byte[] json(String version) {
        return Json.bytes(tree(version));
    }
}
