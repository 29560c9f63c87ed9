/**
 * The bundled HTTP/JSON and gRPC transport plugins and the {@code treestore} command-line tool. The
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
  requires me.tongfei.progressbar;
  requires org.slf4j;
  requires com.github.benmanes.caffeine;
  requires io.prometheus.metrics.core;
  requires io.prometheus.metrics.model;
  requires io.prometheus.writer.text;
  requires io.grpc;
  requires io.grpc.stub;
  requires io.grpc.protobuf;
  requires io.grpc.services;
  requires io.grpc.netty.shaded;
  requires com.google.protobuf;
  requires com.google.protobuf.util;
  requires com.google.common;

  opens io.treestore.server to info.picocli;
  opens io.treestore.server.grpc.v1 to com.google.protobuf;

  uses io.treestore.spi.TransportProvider;

  provides io.treestore.spi.TransportProvider with
      io.treestore.server.http.HttpTransportProvider,
      io.treestore.server.grpc.GrpcTransportProvider;
}
