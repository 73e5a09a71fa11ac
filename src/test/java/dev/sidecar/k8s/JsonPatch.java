package dev.sidecar.k8s;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * RFC 6902 JSON Patch, as kustomize applies it to a resource: enough to render the components under {@code k8s/}
 * in a unit test. A failed {@code test} operation or a missing path fails, as it fails {@code kustomize build}.
 */
final class JsonPatch {

    private JsonPatch() {
    }

    /** A patched copy of the document; the document itself is left alone. */
    static JsonNode apply(JsonNode document, ArrayNode operations) {
        JsonNode result = document.deepCopy();
        for (JsonNode operation : operations) {
            String op = operation.path("op").asText();
            JsonPointer path = pointer(operation, "path");
            switch (op) {
                case "test" -> {
                    JsonNode actual = existing(result, path);
                    if (!actual.equals(operation.get("value"))) {
                        throw new AssertionError("JSON patch test failed at " + path + ": expected "
                                + operation.get("value") + ", found " + actual);
                    }
                }
                case "remove" -> remove(result, path);
                case "add" -> add(result, path, operation.get("value").deepCopy());
                case "replace" -> {
                    remove(result, path);
                    add(result, path, operation.get("value").deepCopy());
                }
                case "move" -> {
                    JsonPointer from = pointer(operation, "from");
                    JsonNode value = existing(result, from);
                    remove(result, from);
                    add(result, path, value);
                }
                case "copy" -> add(result, path, existing(result, pointer(operation, "from")).deepCopy());
                default -> throw new AssertionError("unknown JSON patch operation: " + operation);
            }
        }
        return result;
    }

    private static JsonPointer pointer(JsonNode operation, String field) {
        JsonNode value = operation.get(field);
        if (value == null || value.asText().isEmpty()) {
            throw new AssertionError("JSON patch operation without '" + field + "' (or on the whole document): " + operation);
        }
        return JsonPointer.compile(value.asText());
    }

    private static JsonNode existing(JsonNode document, JsonPointer path) {
        JsonNode node = document.at(path);
        if (node.isMissingNode()) {
            throw new AssertionError("JSON patch path does not exist: " + path);
        }
        return node;
    }

    private static void remove(JsonNode document, JsonPointer path) {
        existing(document, path);
        JsonNode parent = document.at(path.head());
        JsonPointer last = path.last();
        if (parent instanceof ObjectNode object) {
            object.remove(last.getMatchingProperty());
        } else if (parent instanceof ArrayNode array) {
            array.remove(last.getMatchingIndex());
        } else {
            throw new AssertionError("cannot remove " + path);
        }
    }

    private static void add(JsonNode document, JsonPointer path, JsonNode value) {
        JsonNode parent = existing(document, path.head());
        String token = path.last().getMatchingProperty();
        if (parent instanceof ObjectNode object) {
            object.set(token, value);
        } else if (parent instanceof ArrayNode array) {
            if (token.equals("-")) {
                array.add(value);
            } else {
                int index = path.last().getMatchingIndex();
                if (index < 0 || index > array.size()) {
                    throw new AssertionError("JSON patch index out of range: " + path);
                }
                array.insert(index, value);
            }
        } else {
            throw new AssertionError("cannot add at " + path);
        }
    }
}
