package io.treestore.server.http;

import io.treestore.spi.StoreOperation;
import io.treestore.spi.TreeStore;
import java.lang.reflect.AnnotatedType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds the OpenAPI 3.1 document of the HTTP API from the route table itself: every route's
 * method, path, path and query parameters, body and answer, with JSON schemas derived from
 * the store operations' request and response records (components in snake_case; a component
 * annotated {@code @Nullable} is optional). Because it is generated from the routes the
 * server dispatches on (and undeclared query parameters are refused), it cannot list a route
 * that does not exist or miss one that does.
 */
final class OpenApi {
  private OpenApi() {}

  /** The wire name of a record component, as Jackson's snake_case strategy writes it. */
  static String snake(String name) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < name.length(); i++) {
      char ch = name.charAt(i);
      if (Character.isUpperCase(ch)) {
        if (i > 0 && !Character.isUpperCase(name.charAt(i - 1))) {
          sb.append('_');
        }
        sb.append(Character.toLowerCase(ch));
      } else {
        sb.append(ch);
      }
    }
    return sb.toString();
  }

  static Map<String, Object> document(List<Route> routes, TreeStore ts, String server) {
    Map<String, Object> schemas = new TreeMap<>();
    schemas.put("Error", Map.of("type", "object", "required", List.of("error"),
        "properties", Map.of("error", Map.of("type", "object", "required",
            List.of("code", "message"), "properties", Map.of(
                "code", Map.of("type", "string"),
                "message", Map.of("type", "string"),
                "details", Map.of("type", "array", "items", Map.of("type", "string")),
                "request_id", Map.of("type", "string"))))));
    Map<String, Object> paths = new TreeMap<>();
    for (Route r : routes) {
      @SuppressWarnings("unchecked")
      Map<String, Object> item = (Map<String, Object>) paths.computeIfAbsent(r.template,
          k -> new LinkedHashMap<>());
      Map<String, Object> op = new LinkedHashMap<>();
      op.put("operationId", r.method.toLowerCase() + "_" + r.operation + "_"
          + Math.abs(r.template.hashCode()));
      op.put("summary", r.summary.isEmpty() ? r.operation : r.summary);
      List<Object> params = new ArrayList<>();
      for (String seg : r.segments) {
        if (seg.startsWith("{")) {
          params.add(Map.of("name", seg.substring(1, seg.length() - 1), "in", "path",
              "required", true, "schema", Map.of("type", "string")));
        }
      }
      for (String q : r.query) {
        params.add(Map.of("name", q, "in", "query", "required", q.equals("q"),
            "schema", Map.of("type", "string")));
      }
      if (!params.isEmpty()) {
        op.put("parameters", params);
      }
      StoreOperation<?, ?> so = r.store == null || r.storeOperation == null ? null
          : ts.operations().getOrDefault(r.store, Map.of()).get(r.storeOperation);
      switch (r.body) {
        case REQUEST -> op.put("requestBody", Map.of("required", true, "content",
            Map.of("application/json", Map.of("schema", so == null ? Map.of("type", "object")
                : ref(so.requestType(), schemas)))));
        case PAGEINDEX -> op.put("requestBody", Map.of("required", true, "content",
            Map.of("application/json", Map.of("schema", Map.of("type", "object",
                "description", "A PageIndex tree: doc_name, doc_description, structure with"
                    + " nested nodes (title, node_id, start_index, end_index, summary,"
                    + " prefix_summary, text, nodes); other fields are kept.",
                "required", List.of("structure"))))));
        case OBJECT -> op.put("requestBody", Map.of("required", false, "content",
            Map.of("application/json", Map.of("schema", Map.of("type", "object")))));
        case NONE -> { }
      }
      Map<String, Object> responses = new LinkedHashMap<>();
      Object answer = so == null ? Map.of("type", "object") : ref(so.responseType(), schemas);
      String type = r.template.equals("/metrics") ? "text/plain" : "application/json";
      responses.put(String.valueOf(r.status), Map.of("description", "success", "content",
          Map.of(type, Map.of("schema", type.equals("text/plain") ? Map.of("type", "string")
              : answer))));
      Map<String, Object> err = Map.of("description", "error", "content",
          Map.of("application/json", Map.of("schema", Map.of("$ref",
              "#/components/schemas/Error"))));
      responses.put("default", err);
      op.put("responses", responses);
      item.put(r.method.toLowerCase(), op);
    }
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("openapi", "3.1.0");
    doc.put("info", Map.of("title", "TreeStore HTTP API", "version", "v1", "description",
        "Store PageIndex trees and the audit trail of agents; query by structure, page,"
            + " version and keyword. Errors are {\"error\":{\"code\",\"message\"}}."));
    doc.put("servers", List.of(Map.of("url", server)));
    doc.put("paths", paths);
    doc.put("components", Map.of("schemas", schemas, "securitySchemes", Map.of("bearer",
        Map.of("type", "http", "scheme", "bearer"))));
    return doc;
  }

  private static Map<String, Object> ref(Class<?> type, Map<String, Object> schemas) {
    String name = name(type);
    if (!schemas.containsKey(name)) {
      schemas.put(name, Map.of());
      schemas.put(name, recordSchema(type, schemas));
    }
    return Map.of("$ref", "#/components/schemas/" + name);
  }

  private static String name(Class<?> type) {
    Class<?> outer = type.getEnclosingClass();
    return (outer == null ? "" : outer.getSimpleName().replace("Api", "")) + type.getSimpleName();
  }

  private static Map<String, Object> recordSchema(Class<?> type, Map<String, Object> schemas) {
    if (!type.isRecord()) {
      return Map.of("type", "object");
    }
    Map<String, Object> props = new LinkedHashMap<>();
    List<String> required = new ArrayList<>();
    for (RecordComponent c : type.getRecordComponents()) {
      String field = snake(c.getName());
      props.put(field, schema(c.getGenericType(), schemas));
      if (!nullable(c.getAnnotatedType()) && !c.getType().isPrimitive()) {
        required.add(field);
      } else if (c.getType().isPrimitive()) {
        required.add(field);
      }
    }
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("type", "object");
    s.put("properties", props);
    if (!required.isEmpty()) {
      s.put("required", required);
    }
    return s;
  }

  private static boolean nullable(AnnotatedType t) {
    for (var a : t.getAnnotations()) {
      if (a.annotationType().getSimpleName().equals("Nullable")) {
        return true;
      }
    }
    return false;
  }

  private static Map<String, Object> schema(Type t, Map<String, Object> schemas) {
    if (t instanceof ParameterizedType p) {
      Class<?> raw = (Class<?>) p.getRawType();
      if (List.class.isAssignableFrom(raw) || java.util.Set.class.isAssignableFrom(raw)) {
        return Map.of("type", "array", "items", schema(p.getActualTypeArguments()[0], schemas));
      }
      if (Map.class.isAssignableFrom(raw)) {
        return Map.of("type", "object");
      }
      return Map.of("type", "object");
    }
    if (!(t instanceof Class<?> c)) {
      return Map.of();
    }
    if (c == String.class || c == io.treestore.index.Utf8Text.class) {
      return Map.of("type", "string");
    }
    if (c == int.class || c == Integer.class || c == long.class || c == Long.class) {
      return Map.of("type", "integer");
    }
    if (c == double.class || c == Double.class || c == float.class || c == Float.class) {
      return Map.of("type", "number");
    }
    if (c == boolean.class || c == Boolean.class) {
      return Map.of("type", "boolean");
    }
    if (c == Instant.class) {
      return Map.of("type", "string", "format", "date-time");
    }
    if (c.isRecord()) {
      return ref(c, schemas);
    }
    return Map.of("type", "object");
  }
}
