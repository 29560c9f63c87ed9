package io.treestore.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.treestore.server.grpc.v1.CallRequest;
import io.treestore.server.grpc.v1.DocumentInfo;
import io.treestore.server.grpc.v1.GetDocumentRequest;
import io.treestore.server.grpc.v1.Node;
import io.treestore.server.grpc.v1.NodeList;
import io.treestore.server.grpc.v1.NodeRequest;
import io.treestore.server.grpc.v1.PageRequest;
import io.treestore.server.grpc.v1.SearchRequest;
import io.treestore.server.grpc.v1.SearchResponse;
import io.treestore.server.grpc.v1.StoreDocumentRequest;
import io.treestore.server.grpc.v1.StoreDocumentResponse;
import io.treestore.server.grpc.v1.SubtreeRequest;
import io.treestore.server.grpc.v1.ToolResult;
import io.treestore.server.grpc.v1.ToolResultQuery;
import io.treestore.server.grpc.v1.ToolResults;
import io.treestore.server.grpc.v1.TreeStoreServiceGrpc;
import io.treestore.spi.TransportProvider;
import io.treestore.spi.TreeStore;
import io.treestore.spi.TreeStoreOptions;
import io.treestore.txn.DatabaseOptions;
import io.treestore.wal.Durability;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gRPC transport over a real socket: documents, metadata, generic calls, errors, auth. */
class GrpcTransportTest {
  @TempDir Path dir;

  static Path tree(String name) {
    String d = System.getProperty("ts.dataset.dir", "../../shared/datasets/pageindex");
    return Path.of(d).resolve(name);
  }

  private TreeStore open() {
    return TreeStore.open(dir, TreeStoreOptions.defaults()
        .withDatabase(DatabaseOptions.defaults().withDurability(Durability.NONE)));
  }

  @Test
  void boundedReadsRunOnTheEventLoopAndEverythingElseOnWorkers() {
    try (TreeStore ts = open()) {
      Set<String> inline = GrpcTransport.inlineMethods(ts);
      String svc = TreeStoreServiceGrpc.SERVICE_NAME + "/";
      for (String rpc : List.of("Health", "GetNode", "GetChildren", "GetAncestorPath",
          "GetNodesByPage", "GetByPath", "GetVersionAsOf")) {
        assertTrue(inline.contains(svc + rpc), rpc + " should run on the event loop");
      }
      assertTrue(inline.contains("grpc.health.v1.Health/Check"));
      // Writes wait for the log to sync; scans, searches and whole trees take unbounded time.
      for (String rpc : List.of("StoreDocument", "BatchInsertNodes", "DeleteDocument",
          "StoreToolResult", "StorePrompt", "GetSubtree", "GetTree", "SearchByKeyword",
          "ListDocuments", "GetDocument", "ListVersions", "GetToolResults", "Call", "Stats")) {
        assertFalse(inline.contains(svc + rpc), rpc + " should run on a worker");
      }
      assertEquals(8, inline.size(), inline.toString());
    }
  }

  @Test
  void inlineReadsCanBeTurnedOff() throws Exception {
    try (TreeStore ts = open()) {
      IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
          () -> new GrpcTransportProvider().start(ts, Map.of("port", "0",
              "inline-reads", "yes")));
      assertTrue(bad.getMessage().contains("inline-reads must be true or false"),
          bad.getMessage());
      try (TransportProvider.Transport on = new GrpcTransportProvider().start(ts,
              Map.of("port", "0"));
          TransportProvider.Transport off = new GrpcTransportProvider().start(ts,
              Map.of("port", "0", "inline-reads", "false"))) {
        assertEquals(GrpcTransport.inlineMethods(ts), ((GrpcTransport) on).inline());
        assertEquals(Set.of(), ((GrpcTransport) off).inline());
        int port = Integer.parseInt(off.address().substring(off.address().lastIndexOf(':')
            + 1));
        ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
            .build();
        try {
          var stub = TreeStoreServiceGrpc.newBlockingStub(ch).withDeadlineAfter(30,
              TimeUnit.SECONDS);
          stub.storeDocument(StoreDocumentRequest.newBuilder().setDocId("q1")
              .setJson(Files.readString(tree("q1-fy25-earnings.with_text.json"))).build());
          assertEquals("Direct-to-Consumer", stub.getNode(NodeRequest.newBuilder()
              .setDocId("q1").setNodeId("0014").build()).getTitle());
        } finally {
          ch.shutdownNow();
        }
      }
    }
  }

  @Test
  void rpcsRunTheStoreOperations() throws Exception {
    try (TreeStore ts = open();
        TransportProvider.Transport t = new GrpcTransportProvider().start(ts,
            Map.of("port", "0"))) {
      int port = Integer.parseInt(t.address().substring(t.address().lastIndexOf(':') + 1));
      ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
          .build();
      try {
        var stub = TreeStoreServiceGrpc.newBlockingStub(ch).withDeadlineAfter(30,
            TimeUnit.SECONDS);
        StoreDocumentResponse st = stub.storeDocument(StoreDocumentRequest.newBuilder()
            .setDocId("q1").setVersionId("v1").setEffectiveDate("2025-01-01")
            .setJson(Files.readString(tree("q1-fy25-earnings.with_text.json"))).build());
        assertEquals(41, st.getNodeCount());
        DocumentInfo info = stub.getDocument(GetDocumentRequest.newBuilder().setDocId("q1")
            .build());
        assertEquals(41, info.getNodeCount());
        Node n = stub.getNode(NodeRequest.newBuilder().setDocId("q1").setNodeId("0014")
            .build());
        assertEquals("Direct-to-Consumer", n.getTitle());
        assertEquals("0012", n.getParentId());
        assertEquals(5, n.getPageStart());
        NodeList anc = stub.getAncestorPath(NodeRequest.newBuilder().setDocId("q1")
            .setNodeId("0014").build());
        assertEquals(List.of("0010", "0012"), anc.getNodesList().stream()
            .map(Node::getNodeId).toList());
        Node sub = stub.getSubtree(SubtreeRequest.newBuilder().setDocId("q1").setNodeId("0010")
            .setDepth(1).build());
        assertEquals(n.getParentId().isEmpty() ? 0 : sub.getChildIdsCount(),
            sub.getChildrenCount());
        NodeList page = stub.getNodesByPage(PageRequest.newBuilder().setDocId("q1").setPage(5)
            .build());
        assertTrue(page.getNodesCount() > 0);
        SearchResponse s = stub.searchByKeyword(SearchRequest.newBuilder()
            .setQuery("revenue growth").setDocId("q1").setLimit(3).build());
        assertEquals(3, s.getHitsCount());
        assertTrue(s.getHits(0).getSnippet().contains("<b>"));
        stub.storeToolResult(ToolResult.newBuilder().setCaseId("c").setToolName("pi_search")
            .setLatencyMs(12).setSuccess(true).setConfidence(0.5).build());
        ToolResults tr = stub.getToolResults(ToolResultQuery.newBuilder().setCaseId("c")
            .build());
        assertEquals(1, tr.getAggregate().getCount());
        assertEquals(12.0, tr.getAggregate().getMeanLatencyMs(), 1e-9);
        var generic = stub.call(CallRequest.newBuilder().setStore("documents")
            .setOperation("GetNode").setRequest(com.google.protobuf.Struct.newBuilder()
                .putFields("doc_id", com.google.protobuf.Value.newBuilder()
                    .setStringValue("q1").build())
                .putFields("node_id", com.google.protobuf.Value.newBuilder()
                    .setStringValue("0014").build()).build()).build());
        assertEquals("Direct-to-Consumer", generic.getResponse().getFieldsOrThrow("title")
            .getStringValue());
        StatusRuntimeException nf = assertThrows(StatusRuntimeException.class,
            () -> stub.getNode(NodeRequest.newBuilder().setDocId("q1").setNodeId("nope")
                .build()));
        assertEquals(Status.Code.NOT_FOUND, nf.getStatus().getCode());
        StatusRuntimeException bad = assertThrows(StatusRuntimeException.class,
            () -> stub.storeDocument(StoreDocumentRequest.newBuilder().setDocId("x")
                .setJson("{\"structure\": [").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, bad.getStatus().getCode());
        StatusRuntimeException late = assertThrows(StatusRuntimeException.class,
            () -> TreeStoreServiceGrpc.newBlockingStub(ch).withDeadlineAfter(1,
                TimeUnit.NANOSECONDS).getNode(NodeRequest.newBuilder().setDocId("q1")
                .setNodeId("0014").build()));
        assertEquals(Status.Code.DEADLINE_EXCEEDED, late.getStatus().getCode());
        HealthCheckResponse h = HealthGrpc.newBlockingStub(ch).check(
            HealthCheckRequest.newBuilder().build());
        assertEquals(HealthCheckResponse.ServingStatus.SERVING, h.getStatus());
      } finally {
        ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void tokensAreRequiredWhenConfigured() throws Exception {
    try (TreeStore ts = open();
        TransportProvider.Transport t = new GrpcTransportProvider().start(ts,
            Map.of("port", "0", "auth-tokens", "0123456789abcdef-token"))) {
      int port = Integer.parseInt(t.address().substring(t.address().lastIndexOf(':') + 1));
      ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
          .build();
      try {
        var anonymous = TreeStoreServiceGrpc.newBlockingStub(ch);
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
            () -> anonymous.getDocument(GetDocumentRequest.newBuilder().setDocId("d").build()));
        assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
        Metadata md = new Metadata();
        md.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
            "Bearer 0123456789abcdef-token");
        var authed = anonymous.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
        StatusRuntimeException nf = assertThrows(StatusRuntimeException.class,
            () -> authed.getDocument(GetDocumentRequest.newBuilder().setDocId("d").build()));
        assertEquals(Status.Code.NOT_FOUND, nf.getStatus().getCode());
        assertEquals(HealthCheckResponse.ServingStatus.SERVING, HealthGrpc.newBlockingStub(ch)
            .check(HealthCheckRequest.newBuilder().build()).getStatus());
      } finally {
        ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }
}
