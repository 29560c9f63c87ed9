package io.treestore.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.treestore.server.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/** A small HTTP/JSON client over the JDK's {@link HttpClient}, for the tests. */
final class Api implements AutoCloseable {
  final String base;
  private final HttpClient http;
  private final @Nullable String token;

  Api(String base) {
    this(base, null, null);
  }

  Api(String base, @Nullable String token, @Nullable SSLContext tls) {
    this.base = base.replaceAll("/+$", "");
    this.token = token;
    HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10));
    if (tls != null) {
      b.sslContext(tls);
    }
    this.http = b.build();
  }

  /** Another client of the same server with a bearer token. */
  Api withToken(@Nullable String t) {
    return new Api(base, t, null);
  }

  /**
   * An answer.
   *
   * @param status the HTTP status
   * @param body the body as text
   * @param headers the headers
   */
  record Resp(int status, String body, HttpHeaders headers) {
    JsonNode json() {
      return Json.MAPPER.readTree(body);
    }

    /** Asserts the status and returns the JSON body. */
    JsonNode expect(int want) {
      assertEquals(want, status, () -> "status, body: " + abbreviate(body));
      return body.isEmpty() ? Json.MAPPER.createObjectNode() : json();
    }

    /**
     * Asserts an error answer: the status, a JSON content type, and a body
     * {@code {"error":{"code","message",...}}} with that code and a message.
     */
    JsonNode error(int want, String code) {
      assertEquals(want, status, () -> "status, body: " + abbreviate(body));
      assertTrue(headers.firstValue("Content-Type").orElse("").startsWith("application/json"),
          () -> "content type " + headers.firstValue("Content-Type"));
      JsonNode e = json().get("error");
      assertTrue(e != null && e.isObject(), () -> "no error object: " + abbreviate(body));
      assertEquals(code, e.path("code").asString(""), () -> "error code, body: "
          + abbreviate(body));
      assertFalse(e.path("message").asString("").isBlank(), "error message is empty");
      assertFalse(e.path("request_id").asString("").isBlank(), "error request_id is empty");
      return e;
    }
  }

  static String abbreviate(String s) {
    return s.length() > 400 ? s.substring(0, 400) + "..." : s;
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  Resp send(String method, String path, byte @Nullable [] body, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(60));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofByteArray(body));
    try {
      HttpResponse<String> r = http.send(b.build(),
          HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return new Resp(r.statusCode(), r.body(), r.headers());
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + path + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * Sends {@code request} as raw bytes over a new socket (for requests the JDK client refuses
   * to build, such as malformed percent-encoding) and parses the answer.
   */
  Resp raw(String request) {
    URI u = URI.create(base);
    try (java.net.Socket s = new java.net.Socket(u.getHost(), u.getPort())) {
      s.setSoTimeout(30_000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int split = all.indexOf("\r\n\r\n");
      String[] head = all.substring(0, split).split("\r\n");
      java.util.Map<String, java.util.List<String>> h = new java.util.TreeMap<>(
          String.CASE_INSENSITIVE_ORDER);
      for (int i = 1; i < head.length; i++) {
        int c = head[i].indexOf(':');
        h.computeIfAbsent(head[i].substring(0, c).trim(), k -> new java.util.ArrayList<>())
            .add(head[i].substring(c + 1).trim());
      }
      return new Resp(Integer.parseInt(head[0].split(" ")[1]), all.substring(split + 4),
          HttpHeaders.of(h, (a, b) -> true));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Resp get(String path, String... headers) {
    return send("GET", path, null, headers);
  }

  Resp delete(String path) {
    return send("DELETE", path, null);
  }

  Resp put(String path, String body, String... headers) {
    return send("PUT", path, body.getBytes(StandardCharsets.UTF_8), headers);
  }

  /** POSTs {@code body} as JSON (a String is sent as it is). */
  Resp post(String path, Object body, String... headers) {
    byte[] bytes = body instanceof String s ? s.getBytes(StandardCharsets.UTF_8)
        : Json.MAPPER.writeValueAsBytes(body);
    return send("POST", path, bytes, headers);
  }

  /** PUTs {@code body} as JSON (a String is sent as it is). */
  Resp putJson(String path, Object body, String... headers) {
    byte[] bytes = body instanceof String s ? s.getBytes(StandardCharsets.UTF_8)
        : Json.MAPPER.writeValueAsBytes(body);
    return send("PUT", path, bytes, headers);
  }

  @Override
  public void close() {
    http.close();
  }
}
