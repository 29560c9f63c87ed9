package io.treestore.spi;

import java.util.Map;

/**
 * A transport plugin (HTTP, gRPC ...), found with {@link java.util.ServiceLoader} like
 * {@link StoreProvider}. A transport sees only this SPI: it serves the operations
 * {@link TreeStore#operations()} describes, whatever stores are installed.
 */
public interface TransportProvider {
  /**
   * Returns the transport's name.
   *
   * @return for example {@code http} or {@code grpc}
   */
  String name();

  /**
   * Starts serving.
   *
   * @param treeStore the open TreeStore
   * @param settings the transport's settings (address, port, TLS files ...), as documented by
   *     the transport
   * @return the running transport; close it to stop
   * @throws IllegalArgumentException if a setting is invalid
   * @throws java.io.UncheckedIOException if the transport cannot bind
   */
  Transport start(TreeStore treeStore, Map<String, String> settings);

  /** A running transport. */
  interface Transport extends AutoCloseable {
    /**
     * Returns where it listens.
     *
     * @return for example {@code http://127.0.0.1:8080}
     */
    String address();

    /** Stops accepting, finishes requests in flight, and releases the port. Idempotent. */
    @Override
    void close();
  }
}
