/**
 * The bundled HTTP/JSON transport plugin and the {@code treestore} command-line tool. The
 * server sees stores only through the SPI: the bundled stores are found on the module path
 * at run time.
 */
@org.jspecify.annotations.NullMarked
module io.treestore.server {
  requires static transitive org.jspecify;
  requires io.treestore.spi;
  requires jdk.httpserver;
  requires java.net.http;
  requires tools.jackson.databind;
  requires com.fasterxml.jackson.annotation;
  requires info.picocli;
  requires org.slf4j;
  requires com.github.benmanes.caffeine;
  requires io.prometheus.metrics.core;
  requires io.prometheus.metrics.model;
  requires io.prometheus.writer.text;

  opens io.treestore.server to info.picocli;

  uses io.treestore.spi.TransportProvider;

  provides io.treestore.spi.TransportProvider with io.treestore.server.http.HttpTransportProvider;
}
