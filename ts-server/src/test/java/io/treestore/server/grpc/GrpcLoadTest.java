package io.treestore.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.treestore.server.grpc.v1.DocumentInfo;
import io.treestore.server.grpc.v1.Hit;
import io.treestore.server.grpc.v1.ListDocumentsRequest;
import io.treestore.server.grpc.v1.Node;
import io.treestore.server.grpc.v1.NodeRequest;
import io.treestore.server.grpc.v1.SearchRequest;
import io.treestore.server.grpc.v1.StoreDocumentRequest;
import io.treestore.server.grpc.v1.SubtreeRequest;
import io.treestore.server.grpc.v1.TreeStoreServiceGrpc;
import io.treestore.server.http.Trees;
import io.treestore.spi.TransportProvider;
import io.treestore.spi.TreeStore;
import io.treestore.spi.TreeStoreOptions;
import io.treestore.txn.DatabaseOptions;
import io.treestore.wal.Durability;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bounded gRPC load test: 8 clients over two connections mix bounded reads (GetNode,
 * GetChildren, GetAncestorPath), which the server runs on its event loops, with ingests,
 * searches and whole subtrees, which it runs on worker threads. Every call must succeed and
 * answer what the JSON file holds; a client reads the document it just ingested at once, with
 * a bounded read; afterwards every acknowledged document is listed, complete, and nothing else.
 */
class GrpcLoadTest {
  private static final int CLIENTS = 8;
  private static final int REQUESTS = 90;

  @TempDir Path dir;

  @Test
  void boundedReadsOnTheEventLoopInterleaveWithWorkerCalls() throws Exception {
    Trees.Tree read = Trees.get("earthmover");
    Trees.Tree small = Trees.get("regbi-interpretive");
    Queue<String> failures = new ConcurrentLinkedQueue<>();
    Queue<String> stored = new ConcurrentLinkedQueue<>();
    try (TreeStore ts = TreeStore.open(dir, TreeStoreOptions.defaults()
            .withDatabase(DatabaseOptions.defaults().withDurability(Durability.GROUP_ASYNC)));
        TransportProvider.Transport t = new GrpcTransportProvider().start(ts,
            Map.of("port", "0"))) {
      int port = Integer.parseInt(t.address().substring(t.address().lastIndexOf(':') + 1));
      List<ManagedChannel> channels = List.of(channel(port), channel(port));
      try {
        TreeStoreServiceGrpc.newBlockingStub(channels.get(0)).storeDocument(
            StoreDocumentRequest.newBuilder().setDocId("earthmover").setJson(read.raw()).build());
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
          for (int c = 0; c < CLIENTS; c++) {
            int me = c;
            var stub = TreeStoreServiceGrpc.newBlockingStub(channels.get(c % 2))
                .withDeadlineAfter(120, TimeUnit.SECONDS);
            pool.submit(() -> {
              for (int j = 0; j < REQUESTS; j++) {
                Trees.Node n = read.nodes().get((j * 13 + me * 5) % read.size());
                try {
                  switch ((j + me) % 6) {
                    case 0 -> assertNode(n, stub.getNode(ref("earthmover", n.id())));
                    case 1 -> assertEquals(n.children(), stub.getChildren(ref("earthmover",
                        n.id())).getNodesList().stream().map(Node::getNodeId).toList());
                    case 2 -> assertEquals(ancestors(read, n), stub.getAncestorPath(
                        ref("earthmover", n.id())).getNodesList().stream()
                        .map(Node::getNodeId).toList());
                    case 3 -> {
                      String id = "g-" + me + "-" + j;
                      assertEquals(small.size(), stub.storeDocument(StoreDocumentRequest
                          .newBuilder().setDocId(id).setJson(small.raw()).build())
                          .getNodeCount());
                      stored.add(id);
                      Trees.Node root = small.node(small.roots().get(0));
                      assertEquals(root.title(), stub.getNode(ref(id, root.id())).getTitle(),
                          "read your write");
                    }
                    case 4 -> {
                      List<Hit> hits = stub.searchByKeyword(SearchRequest.newBuilder()
                          .setQuery("distance").setDocId("earthmover").setLimit(5).build())
                          .getHitsList();
                      assertFalse(hits.isEmpty());
                      for (Hit h : hits) {
                        assertEquals("earthmover", h.getDocId());
                      }
                    }
                    default -> assertEquals(1 + descendants(read, n), count(stub.getSubtree(
                        SubtreeRequest.newBuilder().setDocId("earthmover").setNodeId(n.id())
                            .build())));
                  }
                } catch (Throwable e) {
                  failures.add("client " + me + " request " + j + ": " + e);
                }
              }
            });
          }
        }
        assertEquals(List.of(), List.copyOf(failures).subList(0, Math.min(20,
            failures.size())), "failed calls (of " + failures.size() + ")");

        Set<String> want = new TreeSet<>(stored);
        want.add("earthmover");
        Set<String> listed = new TreeSet<>();
        for (DocumentInfo d : TreeStoreServiceGrpc.newBlockingStub(channels.get(1))
            .listDocuments(ListDocumentsRequest.newBuilder().setLimit(100_000).build())
            .getDocumentsList()) {
          listed.add(d.getDocId());
          assertEquals(d.getDocId().equals("earthmover") ? read.size() : small.size(),
              d.getNodeCount(), d.getDocId());
        }
        assertEquals(want, listed);
        assertEquals(CLIENTS * REQUESTS / 6, stored.size());
      } finally {
        for (ManagedChannel ch : channels) {
          ch.shutdownNow();
        }
      }
    }
  }

  private static ManagedChannel channel(int port) {
    return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
  }

  private static NodeRequest ref(String doc, String node) {
    return NodeRequest.newBuilder().setDocId(doc).setNodeId(node).build();
  }

  private static void assertNode(Trees.Node want, Node got) {
    assertEquals(want.id(), got.getNodeId());
    assertEquals(want.title(), got.getTitle());
    assertEquals(want.parent() == null ? "" : want.parent(), got.getParentId());
    assertEquals(want.depth(), got.getDepth());
    assertEquals(want.path(), got.getSectionPath());
    assertEquals(want.start(), got.getPageStart());
    assertEquals(want.end(), got.getPageEnd());
    assertEquals(want.children(), got.getChildIdsList());
  }

  private static List<String> ancestors(Trees.Tree tree, Trees.Node n) {
    List<String> out = new ArrayList<>();
    for (String p = n.parent(); p != null; p = tree.node(p).parent()) {
      out.addFirst(p);
    }
    return out;
  }

  private static int descendants(Trees.Tree tree, Trees.Node n) {
    int total = 0;
    for (String c : n.children()) {
      total += 1 + descendants(tree, tree.node(c));
    }
    return total;
  }

  private static int count(Node n) {
    int total = 1;
    for (Node c : n.getChildrenList()) {
      total += count(c);
    }
    return total;
  }
}
