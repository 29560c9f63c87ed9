package io.treestore.server.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Who may call: bearer tokens and a per-client rate limit.
 *
 * <p>Tokens come from a file (one per line: {@code TOKEN} for full access or
 * {@code TOKEN read} for reads only; {@code #} starts a comment) and/or a comma-separated
 * environment variable (full access). With no token configured, authentication is off. Only
 * the SHA-256 of each token is kept, and comparisons are constant-time. A request without
 * {@code Authorization: Bearer ...} gets 401; an unknown token 401; a read-only token on a
 * write 403.
 *
 * <p>The rate limit is a token bucket per client (the bearer token if given, else the remote
 * address): {@code rate} requests per second with bursts of {@code rate}; over it, 429 with
 * {@code Retry-After}. Buckets idle for 10 minutes are dropped. Thread-safe.
 */
public final class Guard {
  /** What a token may do. */
  public enum Access {
    /** Reads only. */
    READ,
    /** Reads and writes. */
    WRITE
  }

  private final Map<String, Access> tokens;
  private final double rate;
  private final @Nullable Cache<String, Bucket> buckets;

  /**
   * Creates a guard.
   *
   * @param tokenHashes SHA-256 (hex) of each token and what it may do; empty turns
   *     authentication off
   * @param rate requests per second per client; 0 turns rate limiting off
   */
  public Guard(Map<String, Access> tokenHashes, double rate) {
    this.tokens = Map.copyOf(tokenHashes);
    this.rate = rate;
    this.buckets = rate > 0 ? Caffeine.newBuilder().expireAfterAccess(Duration.ofMinutes(10))
        .maximumSize(1_000_000).build() : null;
  }

  /**
   * Reads tokens from a file and an environment value.
   *
   * @param file the token file, or {@code null}
   * @param env comma-separated tokens, or {@code null}
   * @return token hashes and access
   * @throws IllegalArgumentException if a line or token is malformed
   * @throws java.io.UncheckedIOException if the file cannot be read
   */
  public static Map<String, Access> load(@Nullable Path file, @Nullable String env) {
    Map<String, Access> out = new LinkedHashMap<>();
    if (file != null) {
      try {
        int n = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          n++;
          String l = line.replaceAll("#.*", "").trim();
          if (l.isEmpty()) {
            continue;
          }
          String[] parts = l.split("\\s+");
          if (parts.length > 2 || (parts.length == 2 && !parts[1].equals("read")
              && !parts[1].equals("write"))) {
            throw new IllegalArgumentException(file + " line " + n
                + ": want TOKEN or TOKEN read|write");
          }
          if (parts[0].length() < 16) {
            throw new IllegalArgumentException(file + " line " + n
                + ": tokens must be at least 16 characters");
          }
          out.put(hash(parts[0]), parts.length == 2 && parts[1].equals("read") ? Access.READ
              : Access.WRITE);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the token file " + file, e);
      }
    }
    if (env != null) {
      for (String t : env.split(",")) {
        String s = t.trim();
        if (!s.isEmpty()) {
          if (s.length() < 16) {
            throw new IllegalArgumentException("tokens must be at least 16 characters");
          }
          out.put(hash(s), Access.WRITE);
        }
      }
    }
    return out;
  }

  static String hash(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  boolean authEnabled() {
    return !tokens.isEmpty();
  }

  /**
   * Checks the Authorization header.
   *
   * @param header the header value or {@code null}
   * @param write whether the route writes
   * @return the client identity for rate limiting (the token's hash), or {@code null} when
   *     authentication is off
   * @throws ApiError with status 401 or 403
   */
  public @Nullable String authenticate(@Nullable String header, boolean write) {
    if (tokens.isEmpty()) {
      return null;
    }
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new ApiError(401, "UNAUTHENTICATED", "an Authorization: Bearer token is required");
    }
    String h = hash(header.substring(7).trim());
    Access found = null;
    for (Map.Entry<String, Access> e : tokens.entrySet()) {
      if (MessageDigest.isEqual(e.getKey().getBytes(StandardCharsets.US_ASCII),
          h.getBytes(StandardCharsets.US_ASCII))) {
        found = e.getValue();
      }
    }
    if (found == null) {
      throw new ApiError(401, "UNAUTHENTICATED", "the bearer token is not valid");
    }
    if (write && found == Access.READ) {
      throw new ApiError(403, "PERMISSION_DENIED", "this token may only read");
    }
    return h;
  }

  /**
   * Takes one request from the client's bucket.
   *
   * @param client the client's identity
   * @return 0 if allowed, else the seconds to wait before retrying ({@code >= 1})
   */
  public long admit(String client) {
    if (buckets == null) {
      return 0;
    }
    Bucket b = buckets.get(client, k -> new Bucket(rate));
    return b.take(rate);
  }

  private static final class Bucket {
    private double available;
    private long last = System.nanoTime();

    Bucket(double rate) {
      this.available = Math.max(1, rate);
    }

    synchronized long take(double rate) {
      long now = System.nanoTime();
      available = Math.min(Math.max(1, rate), available + (now - last) / 1e9 * rate);
      last = now;
      if (available >= 1) {
        available -= 1;
        return 0;
      }
      return Math.max(1, (long) Math.ceil((1 - available) / rate));
    }
  }
}
