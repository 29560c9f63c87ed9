package io.treestore.server.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP route: a method, a path template such as {@code /v1/documents/{doc}/nodes/{node}},
 * and what it does with the path variables, query parameters and body.
 */
final class Route {
  /** What a route does. */
  @FunctionalInterface
  interface Action {
    /**
     * Runs the request.
     *
     * @param call the parsed request
     * @return the answer
     */
    Answer run(Call call);
  }

  /**
   * A parsed request.
   *
   * @param path path variables, decoded
   * @param query query parameters, decoded (the last value wins)
   * @param body the body, or {@code null} if empty
   * @param deadline the deadline on the {@link System#nanoTime()} clock, or
   *     {@link Long#MAX_VALUE}
   */
  record Call(Map<String, String> path, Map<String, String> query, byte @Nullable [] body,
      long deadline) {}

  /**
   * An answer.
   *
   * @param status the HTTP status
   * @param body the object written as JSON
   */
  record Answer(int status, Object body) {}

  /** What a route's body is, for the OpenAPI document. */
  enum Body {
    /** No body. */
    NONE,
    /** The operation's request record as JSON (path variables filled in by the server). */
    REQUEST,
    /** A PageIndex JSON document. */
    PAGEINDEX,
    /** A free-form JSON object. */
    OBJECT
  }

  final String method;
  final String template;
  final List<String> segments;
  final Action action;
  final String operation;
  List<String> query = List.of();
  @Nullable String store;
  @Nullable String storeOperation;
  Body body = Body.NONE;
  int status = 200;
  String summary = "";

  Route(String method, String template, String operation, Action action) {
    this.method = method;
    this.template = template;
    this.operation = operation;
    this.action = action;
    List<String> segs = new ArrayList<>();
    for (String s : template.split("/")) {
      if (!s.isEmpty()) {
        segs.add(s);
      }
    }
    this.segments = List.copyOf(segs);
  }

  /** Declares the query parameters; others are refused with 400. */
  Route query(String... names) {
    this.query = List.of(names);
    return this;
  }

  /** Declares the store operation behind the route (for request and response schemas). */
  Route op(@Nullable String storeName, @Nullable String operationName, Body bodyKind,
      int successStatus) {
    this.store = storeName;
    this.storeOperation = operationName;
    this.body = bodyKind;
    this.status = successStatus;
    return this;
  }

  /** Declares a one-line description. */
  Route doc(String text) {
    this.summary = text;
    return this;
  }

  /** Matches decoded path segments; fills the variables and returns true on a match. */
  boolean match(List<String> path, Map<String, String> vars) {
    if (path.size() != segments.size()) {
      return false;
    }
    for (int i = 0; i < path.size(); i++) {
      String t = segments.get(i);
      if (t.startsWith("{")) {
        vars.put(t.substring(1, t.length() - 1), path.get(i));
      } else if (!t.equals(path.get(i))) {
        vars.clear();
        return false;
      }
    }
    return true;
  }
}
