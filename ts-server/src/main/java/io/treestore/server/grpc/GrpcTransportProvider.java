package io.treestore.server.grpc;

import io.treestore.server.http.Guard;
import io.treestore.spi.TransportProvider;
import io.treestore.spi.TreeStore;
import java.io.File;
import java.util.Map;
import java.util.Set;

/**
 * The {@code grpc} transport. Settings (all optional): {@code host} (default
 * {@code 127.0.0.1}, loopback only), {@code port} (default 50051; 0 picks a free
 * one), {@code max-message-bytes} (default 64 MiB), {@code auth-tokens-file},
 * {@code auth-tokens}, {@code rate-limit}, {@code tls-cert}, {@code tls-key} (as for
 * {@code http}), {@code inline-reads} ({@code true}, the default: bounded reads run on the
 * event loop that read them, ADR 0009; {@code false}: every call runs on a worker thread,
 * for stores much larger than memory, whose lookups read the disk).
 */
public final class GrpcTransportProvider implements TransportProvider {
  private static final Set<String> KNOWN = Set.of("host", "port", "max-message-bytes",
      "auth-tokens-file", "auth-tokens", "rate-limit", "tls-cert", "tls-key", "inline-reads");

  /** Creates the provider (used by {@link java.util.ServiceLoader}). */
  public GrpcTransportProvider() {
    // stateless
  }

  @Override
  public String name() {
    return "grpc";
  }

  @Override
  public Transport start(TreeStore treeStore, Map<String, String> settings) {
    for (String k : settings.keySet()) {
      if (!KNOWN.contains(k)) {
        throw new IllegalArgumentException("unknown grpc setting '" + k + "'; known: " + KNOWN);
      }
    }
    int port;
    long max;
    double rate;
    try {
      port = Integer.parseInt(settings.getOrDefault("port", "50051"));
      max = Long.parseLong(settings.getOrDefault("max-message-bytes", String.valueOf(64L << 20)));
      rate = Double.parseDouble(settings.getOrDefault("rate-limit", "0"));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("grpc settings must be numbers: " + e.getMessage());
    }
    if (port < 0 || port > 65535 || max < 1 || !(rate >= 0)) {
      throw new IllegalArgumentException("grpc port, max-message-bytes or rate-limit out of"
          + " range");
    }
    String inline = settings.getOrDefault("inline-reads", "true");
    if (!inline.equals("true") && !inline.equals("false")) {
      throw new IllegalArgumentException("grpc setting inline-reads must be true or false, was '"
          + inline + "'");
    }
    String tokensFile = settings.get("auth-tokens-file");
    Guard guard = new Guard(Guard.load(tokensFile == null ? null
        : java.nio.file.Path.of(tokensFile), settings.get("auth-tokens")), rate);
    String cert = settings.get("tls-cert");
    String key = settings.get("tls-key");
    if ((cert == null) != (key == null)) {
      throw new IllegalArgumentException("tls-cert and tls-key go together");
    }
    return new GrpcTransport(treeStore, settings.getOrDefault("host", "127.0.0.1"), port,
        guard, max, cert == null ? null : new File(cert), key == null ? null : new File(key),
        Boolean.parseBoolean(inline));
  }
}
