package io.treestore.server.http;

import io.treestore.spi.TransportProvider;
import io.treestore.spi.TreeStore;
import io.treestore.spi.TreeStoreOptions;
import io.treestore.txn.DatabaseOptions;
import io.treestore.wal.Durability;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A TreeStore on a directory (durability NONE: these tests are about the wire, not fsync)
 * served by the HTTP transport on a free loopback port, with a client.
 */
final class TestServer implements AutoCloseable {
  final TreeStore ts;
  final TransportProvider.Transport transport;
  final Api api;

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

  @Override
  public void close() {
    api.close();
    try {
      transport.close();
    } finally {
      ts.close();
    }
  }
}
