package io.treestore.server.http;

import io.treestore.spi.TransportProvider;
import io.treestore.spi.TreeStore;
import java.util.Map;
import java.util.Set;

/**
 * The {@code http} transport. Settings (all optional):
 *
 * <ul>
 *   <li>{@code host}: default {@code 127.0.0.1} (loopback only);
 *   <li>{@code port}: default 8080; 0 picks a free port;
 *   <li>{@code max-body-bytes}: default 64 MiB; larger bodies get 413;
 *   <li>{@code auth-tokens-file}, {@code auth-tokens}: bearer tokens (a file of
 *       {@code TOKEN [read|write]} lines; a comma-separated list); none means no
 *       authentication; health routes never need a token;
 *   <li>{@code rate-limit}: requests per second per client (token or address), 0 = off;
 *   <li>{@code request-timeout-ms}: the longest a request may take, 0 = none; clients can
 *       shorten it with the {@code X-Request-Deadline-Ms} header; a write past its deadline
 *       is rolled back (504);
 *   <li>{@code tls-cert}, {@code tls-key}: PEM files; both given means HTTPS.
 * </ul>
 */
public final class HttpTransportProvider implements TransportProvider {
  private static final Set<String> KNOWN = Set.of("host", "port", "max-body-bytes",
      "auth-tokens-file", "auth-tokens", "rate-limit", "request-timeout-ms", "tls-cert",
      "tls-key");

  /** Creates the provider (used by {@link java.util.ServiceLoader}). */
  public HttpTransportProvider() {
    // stateless
  }

  @Override
  public String name() {
    return "http";
  }

  @Override
  public Transport start(TreeStore treeStore, Map<String, String> settings) {
    for (String k : settings.keySet()) {
      if (!KNOWN.contains(k)) {
        throw new IllegalArgumentException("unknown http setting '" + k + "'; known: " + KNOWN);
      }
    }
    String host = settings.getOrDefault("host", "127.0.0.1");
    int port = number(settings.getOrDefault("port", "8080"), "port", 0, 65535);
    long max = number(settings.getOrDefault("max-body-bytes", String.valueOf(64L << 20)),
        "max-body-bytes", 1, Integer.MAX_VALUE - 8);
    double rate;
    try {
      rate = Double.parseDouble(settings.getOrDefault("rate-limit", "0"));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("rate-limit must be a number, was '"
          + settings.get("rate-limit") + "'");
    }
    if (!(rate >= 0) || Double.isInfinite(rate)) {
      throw new IllegalArgumentException("rate-limit must be >= 0, was " + rate);
    }
    long timeout = number(settings.getOrDefault("request-timeout-ms", "0"),
        "request-timeout-ms", 0, Integer.MAX_VALUE);
    String tokensFile = settings.get("auth-tokens-file");
    Guard guard = new Guard(Guard.load(tokensFile == null ? null
        : java.nio.file.Path.of(tokensFile), settings.get("auth-tokens")), rate);
    String cert = settings.get("tls-cert");
    String key = settings.get("tls-key");
    if ((cert == null) != (key == null)) {
      throw new IllegalArgumentException("tls-cert and tls-key go together");
    }
    javax.net.ssl.SSLContext tls = cert == null ? null
        : Tls.context(java.nio.file.Path.of(cert), java.nio.file.Path.of(key));
    return new HttpTransport(treeStore, host, port, max, guard, timeout, tls);
  }

  private static int number(String v, String name, long min, long max) {
    try {
      long n = Long.parseLong(v);
      if (n < min || n > max) {
        throw new IllegalArgumentException(name + " must be " + min + " to " + max + ", was "
            + n);
      }
      return (int) n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a number, was '" + v + "'");
    }
  }
}
