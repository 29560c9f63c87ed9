package io.treestore.server.http;

import io.treestore.spi.TransportProvider;
import io.treestore.spi.TreeStore;
import java.util.Map;
import java.util.Set;

/**
 * The {@code http} transport. Settings: {@code host} (default {@code 127.0.0.1}, loopback
 * only), {@code port} (default 8080; 0 picks a free port), {@code max-body-bytes} (default
 * 64 MiB; larger bodies get 413).
 */
public final class HttpTransportProvider implements TransportProvider {
  private static final Set<String> KNOWN = Set.of("host", "port", "max-body-bytes");

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
    return new HttpTransport(treeStore, host, port, max);
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
