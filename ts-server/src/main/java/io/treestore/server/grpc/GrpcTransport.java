package io.treestore.server.grpc;

import com.google.protobuf.Descriptors;
import com.google.protobuf.Message;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Deadline;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.ServerCallHandler;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsServerCredentials;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.treestore.server.Json;
import io.treestore.server.Metrics;
import io.treestore.server.grpc.v1.CallRequest;
import io.treestore.server.grpc.v1.CallResponse;
import io.treestore.server.grpc.v1.HealthResponse;
import io.treestore.server.grpc.v1.StatsResponse;
import io.treestore.server.grpc.v1.TreeStoreServiceGrpc;
import io.treestore.server.http.ApiError;
import io.treestore.server.http.Guard;
import io.treestore.spi.ErrorCode;
import io.treestore.spi.OperationKind;
import io.treestore.spi.StoreException;
import io.treestore.spi.StoreOperation;
import io.treestore.spi.TransportProvider;
import io.treestore.spi.TreeStore;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;

/**
 * The gRPC transport: {@code treestore.v1.TreeStoreService} (see {@code treestore.proto}),
 * the standard gRPC health service and server reflection.
 *
 * <p>Every RPC named like a store operation runs that operation: the request message is
 * printed as JSON with its proto field names (snake_case, the same as the HTTP API), read
 * into the operation's request record, run through {@link TreeStore#call} with the call's
 * deadline, and the response record is written back into the response message the same way.
 * {@code Call} does this for any store and operation given by name; {@code Health} and
 * {@code Stats} report on the database. Bearer tokens and the rate limit are those of the HTTP
 * transport (metadata {@code authorization: Bearer ...}).
 *
 * <p>Threads: an RPC of a {@linkplain StoreOperation#bounded() bounded} operation (GetNode,
 * GetChildren, ...), {@code Health} and the standard health check run on the Netty event loop
 * that read the request, which saves a hand-off to another thread per call (about 40 us of
 * the 240 us an empty call took on the 2-core benchmark machine, docs/benchmarks-server.md).
 * Every other RPC, writes among them, runs on a pool of worker threads, so a long scan or a
 * log sync never holds up the connections its event loop serves. The setting
 * {@code inline-reads=false} sends every call to the workers.
 *
 * <p>Thread-safe.
 */
final class GrpcTransport implements TransportProvider.Transport {
  private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization",
      Metadata.ASCII_STRING_MARSHALLER);
  private static final Context.Key<String> CLIENT = Context.key("treestore-client");

  private final TreeStore ts;
  private final Metrics metrics;
  private final Guard guard;
  private final Server server;
  private final HealthStatusManager health = new HealthStatusManager();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final ExecutorService workers = Executors.newCachedThreadPool(Thread.ofPlatform()
      .name("treestore-grpc-worker-", 0).daemon(true).factory());

  GrpcTransport(TreeStore ts, String host, int port, Guard guard, long maxMessageBytes,
      @Nullable File tlsCert, @Nullable File tlsKey, boolean inlineReads) {
    this.ts = ts;
    this.metrics = Metrics.of(ts);
    this.guard = guard;
    ServerCredentials creds;
    try {
      creds = tlsCert == null ? InsecureServerCredentials.create()
          : TlsServerCredentials.create(tlsCert, tlsKey);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the TLS files", e);
    }
    ServerServiceDefinition service = ServerInterceptors.intercept(definition(),
        new AuthInterceptor());
    Set<String> inline = inlineReads ? inlineMethods(ts) : Set.of();
    this.inline = inline;
    try {
      this.server = io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder
          .forAddress(new java.net.InetSocketAddress(host, port), creds)
          .maxInboundMessageSize((int) Math.min(Integer.MAX_VALUE, maxMessageBytes))
          // The event loop runs a call unless the supplier hands it to the workers.
          .directExecutor()
          .callExecutor(new ServerCallExecutorSupplier() {
            @Override
            public <Q, R> @Nullable Executor getExecutor(ServerCall<Q, R> call,
                Metadata headers) {
              return inline.contains(call.getMethodDescriptor().getFullMethodName())
                  ? null : workers;
            }
          })
          .addService(service)
          .addService(health.getHealthService())
          .addService(ProtoReflectionServiceV1.newInstance())
          .build().start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen for gRPC on port " + port + ": " + e, e);
    }
    health.setStatus("", io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING);
    health.setStatus(TreeStoreServiceGrpc.SERVICE_NAME,
        io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING);
    this.host = host;
  }

  private final String host;
  private final Set<String> inline;

  /** The full names of the methods this server runs on its event loops. */
  Set<String> inline() {
    return inline;
  }

  /**
   * Returns the full names of the methods that run on the event loop: the RPCs of bounded
   * store operations, {@code Health}, and the standard health check.
   *
   * @param ts the database whose stores the RPCs call
   * @return the method names, such as {@code treestore.v1.TreeStoreService/GetNode}
   */
  static Set<String> inlineMethods(TreeStore ts) {
    Set<String> out = new HashSet<>();
    out.add(io.grpc.health.v1.HealthGrpc.getCheckMethod().getFullMethodName());
    for (MethodDescriptor<?, ?> m : TreeStoreServiceGrpc.getServiceDescriptor().getMethods()) {
      String rpc = m.getBareMethodName();
      if ("Health".equals(rpc)) {
        out.add(m.getFullMethodName());
        continue;
      }
      for (var store : ts.operations().values()) {
        StoreOperation<?, ?> op = store.get(rpc);
        if (op != null) {
          // the store that the handler calls (storeOf): the first that has the operation
          if (op.bounded()) {
            out.add(m.getFullMethodName());
          }
          break;
        }
      }
    }
    return Set.copyOf(out);
  }

  @Override
  public String address() {
    return "grpc://" + host + ":" + server.getPort();
  }

  /** Builds the service from the generated descriptor, one handler per method. */
  private ServerServiceDefinition definition() {
    io.grpc.ServiceDescriptor sd = TreeStoreServiceGrpc.getServiceDescriptor();
    ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(sd);
    for (MethodDescriptor<?, ?> m : sd.getMethods()) {
      add(b, m);
    }
    return b.build();
  }

  @SuppressWarnings("unchecked")
  private <Q, R> void add(ServerServiceDefinition.Builder b, MethodDescriptor<Q, R> m) {
    String rpc = m.getBareMethodName();
    Message prototype = (Message) ((MethodDescriptor.PrototypeMarshaller<R>)
        m.getResponseMarshaller()).getMessagePrototype();
    b.addMethod(m, ServerCalls.asyncUnaryCall((Q request, StreamObserver<R> out) -> {
      long start = System.nanoTime();
      String code = null;
      boolean write = false;
      try {
        Message answer;
        switch (rpc) {
          case "Health" -> answer = HealthResponse.newBuilder().setStatus(
              ts.database().isReadOnly() ? "NOT_SERVING" : "SERVING").build();
          case "Stats" -> answer = StatsResponse.newBuilder().setStats(struct(Map.of(
              "database", ts.database().stats(), "stores", ts.stores().keySet()))).build();
          case "Call" -> {
            CallRequest c = (CallRequest) request;
            StoreOperation<?, ?> op = ts.operation(c.getStore(), c.getOperation());
            write = op.kind() == OperationKind.WRITE;
            Object record = Json.MAPPER.treeToValue(ProtoTree.toTree(c.getRequest()),
                op.requestType());
            Object result = ts.call(c.getStore(), c.getOperation(), record, deadline());
            answer = CallResponse.newBuilder().setResponse(struct(result)).build();
          }
          default -> {
            String store = storeOf(rpc);
            StoreOperation<?, ?> op = ts.operation(store, rpc);
            write = op.kind() == OperationKind.WRITE;
            Object record = Json.MAPPER.treeToValue(ProtoTree.toTree((Message) request),
                op.requestType());
            Object result = ts.call(store, rpc, record, deadline());
            Message.Builder mb = prototype.newBuilderForType();
            ProtoTree.merge(Json.MAPPER.valueToTree(result), mb);
            answer = mb.build();
          }
        }
        out.onNext((R) answer);
        out.onCompleted();
      } catch (StoreException e) {
        code = e.code().name();
        out.onError(status(e.code()).withDescription(e.getMessage()).asRuntimeException());
      } catch (JacksonException | com.google.protobuf.InvalidProtocolBufferException e) {
        code = "INVALID_ARGUMENT";
        out.onError(Status.INVALID_ARGUMENT.withDescription("malformed request: "
            + e.getMessage()).asRuntimeException());
      } catch (RuntimeException e) {
        code = "INTERNAL";
        System.getLogger("io.treestore.server.grpc").log(System.Logger.Level.ERROR,
            "gRPC " + rpc + " failed", e);
        out.onError(Status.INTERNAL.withDescription("internal error: " + e)
            .asRuntimeException());
      } finally {
        metrics.record("grpc", rpc, (System.nanoTime() - start) / 1e9, code, write);
      }
    }));
  }

  private String storeOf(String operation) {
    for (var e : ts.operations().entrySet()) {
      if (e.getValue().containsKey(operation)) {
        return e.getKey();
      }
    }
    throw StoreException.notFound("no installed store has the operation " + operation);
  }

  private static long deadline() {
    Deadline d = Context.current().getDeadline();
    if (d == null) {
      return Long.MAX_VALUE;
    }
    return System.nanoTime() + Math.max(0, d.timeRemaining(TimeUnit.NANOSECONDS));
  }

  private static com.google.protobuf.Struct struct(Object value) {
    com.google.protobuf.Struct.Builder b = com.google.protobuf.Struct.newBuilder();
    try {
      ProtoTree.merge(Json.MAPPER.valueToTree(value), b);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IllegalStateException("answer is not a JSON object: " + e.getMessage(), e);
    }
    return b.build();
  }

  static Status status(ErrorCode code) {
    return switch (code) {
      case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
      case NOT_FOUND -> Status.NOT_FOUND;
      case ALREADY_EXISTS -> Status.ALREADY_EXISTS;
      case CONFLICT -> Status.ABORTED;
      case TOO_LARGE -> Status.RESOURCE_EXHAUSTED;
      case UNAVAILABLE -> Status.UNAVAILABLE;
      case DEADLINE_EXCEEDED -> Status.DEADLINE_EXCEEDED;
      case INTERNAL -> Status.INTERNAL;
    };
  }

  /** Bearer tokens and rate limit, as for HTTP; health and reflection need no token. */
  private final class AuthInterceptor implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call,
        Metadata headers, ServerCallHandler<Q, R> next) {
      String rpc = call.getMethodDescriptor().getBareMethodName();
      try {
        boolean write = rpc != null && !rpc.equals("Health") && !rpc.equals("Stats")
            && isWrite(rpc);
        String client = rpc != null && rpc.equals("Health") ? "health"
            : guard.authenticate(headers.get(AUTHORIZATION), write);
        if (client == null) {
          java.net.SocketAddress a = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
          client = a instanceof java.net.InetSocketAddress i ? i.getAddress().getHostAddress()
              : String.valueOf(a);
        }
        long wait = guard.admit(client);
        if (wait > 0) {
          throw new StatusRuntimeException(Status.RESOURCE_EXHAUSTED.withDescription(
              "rate limit exceeded; retry in " + wait + " s"));
        }
        return Contexts.interceptCall(Context.current().withValue(CLIENT, client), call,
            headers, next);
      } catch (ApiError e) {
        Status s = e.status() == 401 ? Status.UNAUTHENTICATED : Status.PERMISSION_DENIED;
        call.close(s.withDescription(e.getMessage()), new Metadata());
      } catch (StatusRuntimeException e) {
        call.close(e.getStatus(), new Metadata());
      }
      return new ServerCall.Listener<>() { };
    }

    private boolean isWrite(String rpc) {
      if (rpc.equals("Call")) {
        return true;
      }
      for (var ops : ts.operations().values()) {
        StoreOperation<?, ?> op = ops.get(rpc);
        if (op != null) {
          return op.kind() == OperationKind.WRITE;
        }
      }
      return false;
    }
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      health.enterTerminalState();
      server.shutdown();
      try {
        if (!server.awaitTermination(10, TimeUnit.SECONDS)) {
          server.shutdownNow();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        server.shutdownNow();
      }
      workers.shutdown();
    }
  }

  static Descriptors.FileDescriptor descriptor() {
    return io.treestore.server.grpc.v1.TreeStoreProto.getDescriptor();
  }
}
