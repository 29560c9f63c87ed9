package io.treestore.server.http;

import io.treestore.spi.TransportProvider;
import io.treestore.spi.TreeStore;
import io.treestore.spi.TreeStoreOptions;
import io.treestore.txn.DatabaseOptions;
import io.treestore.wal.Durability;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/**
 * A TreeStore on a directory (durability NONE: these tests are about the wire, not fsync)
 * served by the HTTP transport on a free loopback port, with a client.
 */
final class TestServer implements AutoCloseable {
  final TreeStore ts;
  final TransportProvider.Transport transport;
  final Api api;
  private final List<Api> clients = new CopyOnWriteArrayList<>();

  private TestServer(TreeStore ts, TransportProvider.Transport transport) {
    this.ts = ts;
    this.transport = transport;
    this.api = new Api(transport.address());
  }

  static TreeStore open(Path dir) {
    return TreeStore.open(dir, TreeStoreOptions.defaults().withDatabase(
        DatabaseOptions.defaults().withDurability(Durability.NONE)));
  }

  static TestServer start(Path dir, String... settings) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("host", "127.0.0.1");
    s.put("port", "0");
    for (int i = 0; i < settings.length; i += 2) {
      s.put(settings[i], settings[i + 1]);
    }
    TreeStore ts = open(dir);
    try {
      return new TestServer(ts, new HttpTransportProvider().start(ts, s));
    } catch (RuntimeException e) {
      ts.close();
      throw e;
    }
  }

  String address() {
    return transport.address();
  }

  /**
   * Another client of this server, with a bearer token (or none), closed with the server.
   *
   * @param token the token or null
   * @return the client
   */
  Api client(@Nullable String token) {
    Api a = api.withToken(token);
    clients.add(a);
    return a;
  }

  /**
   * Stops the transport, then closes the clients and the TreeStore. The JDK's HttpServer.stop
   * waits its whole grace period (10 s in HttpTransport.close) when a client closed a
   * keep-alive connection just before: the server is still reading that connection's end as
   * a request when the stop is requested, and does not look again when it ends. So the
   * transport stops before our clients close, and after a short pause for clients that closed
   * on their own (the CLI's).
   */
  @Override
  public void close() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      transport.close();
    } finally {
      api.close();
      clients.forEach(Api::close);
      ts.close();
    }
  }
}
