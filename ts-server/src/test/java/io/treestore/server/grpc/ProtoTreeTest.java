package io.treestore.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.ListValue;
import com.google.protobuf.Message;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import io.treestore.server.Json;
import io.treestore.server.grpc.v1.TreeStoreProto;
import io.treestore.server.grpc.v1.TreeStoreServiceGrpc;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * {@link ProtoTree} against the reference implementation of the proto3 JSON mapping,
 * {@link JsonFormat}: random messages of every message type of {@code treestore.proto}
 * (random presence, repeated counts, Unicode strings, integer extremes, nested messages,
 * {@code Struct}s and timestamps) must survive both directions, each checked by the other
 * implementation.
 */
class ProtoTreeTest {
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer()
      .preservingProtoFieldNames();
  private static final JsonFormat.Parser PARSER = JsonFormat.parser();

  @Test
  void everyMessageTypeRoundTripsAgainstJsonFormat() throws Exception {
    long seed = Long.getLong("ts.seed", System.nanoTime());
    SplittableRandom r = new SplittableRandom(seed);
    int checked = 0;
    for (Descriptor d : TreeStoreProto.getDescriptor().getMessageTypes()) {
      for (int i = 0; i < 40; i++) {
        Message m = random(d, r, 0);
        // our tree -> reference parser
        JsonNode ours = ProtoTree.toTree(m);
        DynamicMessage.Builder viaReference = DynamicMessage.newBuilder(d);
        PARSER.merge(ours.toString(), viaReference);
        assertEquals(m, viaReference.build(), () -> "seed " + seed + ": " + d.getName()
            + " printed as " + ours);
        // reference printer -> our merge
        String text = PRINTER.print(m);
        DynamicMessage.Builder viaOurs = DynamicMessage.newBuilder(d);
        ProtoTree.merge(Json.MAPPER.readTree(text), viaOurs);
        assertEquals(m, viaOurs.build(), () -> "seed " + seed + ": " + d.getName()
            + " parsed from " + text);
        checked++;
      }
    }
    assertEquals(40 * TreeStoreProto.getDescriptor().getMessageTypes().size(), checked);
  }

  /**
   * Into generated messages (the answers the transport sends), long strings are set as UTF-8
   * bytes: the message written must be the one the reference parser builds, byte for byte
   * once parsed back, for every answer type of the service.
   */
  @Test
  void generatedAnswersSerializeAsTheReferenceDoes() throws Exception {
    long seed = Long.getLong("ts.seed", System.nanoTime());
    SplittableRandom r = new SplittableRandom(seed);
    int checked = 0;
    for (io.grpc.MethodDescriptor<?, ?> m
        : TreeStoreServiceGrpc.getServiceDescriptor().getMethods()) {
      Message prototype = (Message) ((io.grpc.MethodDescriptor.PrototypeMarshaller<?>)
          m.getResponseMarshaller()).getMessagePrototype();
      Descriptor d = prototype.getDescriptorForType();
      for (int i = 0; i < 20; i++) {
        Message expected = random(d, r, 0);
        String text = PRINTER.print(expected);
        Message.Builder ours = prototype.newBuilderForType();
        ProtoTree.merge(Json.MAPPER.readTree(text), ours);
        Message written = ours.build();
        assertEquals(DynamicMessage.parseFrom(d, expected.toByteString()),
            DynamicMessage.parseFrom(d, written.toByteString()),
            () -> "seed " + seed + ": " + d.getName() + " from " + text);
        assertEquals(expected.getSerializedSize(), written.getSerializedSize());
        checked++;
      }
    }
    assertEquals(20 * TreeStoreServiceGrpc.getServiceDescriptor().getMethods().size(),
        checked);
  }

  @Test
  void valuesThatDoNotFitTheirFieldAreRejected() {
    Descriptor node = TreeStoreProto.getDescriptor().findMessageTypeByName("Node");
    for (String json : new String[] {
        "{\"page_start\": 1.5}", "{\"page_start\": 3000000000}", "{\"page_start\": \"x\"}",
        "{\"title\": 12}", "{\"child_ids\": \"0001\"}", "[1, 2]",
        "{\"attributes\": [1]}"}) {
      assertThrows(InvalidProtocolBufferException.class,
          () -> ProtoTree.merge(Json.MAPPER.readTree(json), DynamicMessage.newBuilder(node)),
          json);
    }
  }

  @Test
  void unknownFieldsAndNullsAreSkipped() throws Exception {
    Descriptor node = TreeStoreProto.getDescriptor().findMessageTypeByName("Node");
    DynamicMessage.Builder b = DynamicMessage.newBuilder(node);
    ProtoTree.merge(Json.MAPPER.readTree(
        "{\"title\": \"T\", \"no_such_field\": {\"a\": 1}, \"summary\": null, \"pageStart\": 3}"),
        b);
    DynamicMessage.Builder expected = DynamicMessage.newBuilder(node);
    PARSER.merge("{\"title\": \"T\", \"page_start\": 3}", expected);
    assertEquals(expected.build(), b.build());
  }

  private static Message random(Descriptor d, SplittableRandom r, int depth) {
    if (d.getFullName().equals(Struct.getDescriptor().getFullName())) {
      return randomStruct(r, depth);
    }
    if (d.getFullName().equals(Timestamp.getDescriptor().getFullName())) {
      return Timestamp.newBuilder()
          .setSeconds(r.nextLong(-62135596800L, 253402300799L))
          .setNanos(r.nextInt(3) == 0 ? 0 : r.nextInt(1_000_000_000)).build();
    }
    DynamicMessage.Builder b = DynamicMessage.newBuilder(d);
    for (FieldDescriptor f : d.getFields()) {
      if (f.isRepeated()) {
        int n = depth > 2 ? 0 : r.nextInt(4);
        for (int i = 0; i < n; i++) {
          b.addRepeatedField(f, randomValue(f, r, depth));
        }
      } else if (r.nextInt(3) != 0) {
        if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE && depth > 2) {
          continue;
        }
        b.setField(f, randomValue(f, r, depth));
      }
    }
    return b.build();
  }

  private static Object randomValue(FieldDescriptor f, SplittableRandom r, int depth) {
    return switch (f.getJavaType()) {
      case INT -> switch (r.nextInt(4)) {
        case 0 -> Integer.MIN_VALUE;
        case 1 -> Integer.MAX_VALUE;
        case 2 -> 0;
        default -> r.nextInt();
      };
      case LONG -> switch (r.nextInt(4)) {
        case 0 -> Long.MIN_VALUE;
        case 1 -> Long.MAX_VALUE;
        case 2 -> 0L;
        default -> r.nextLong();
      };
      case FLOAT -> (float) r.nextDouble(-1e6, 1e6);
      case DOUBLE -> r.nextInt(5) == 0 ? 0.0 : r.nextDouble(-1e12, 1e12);
      case BOOLEAN -> r.nextBoolean();
      case STRING -> randomString(r);
      case BYTE_STRING -> com.google.protobuf.ByteString.copyFromUtf8(randomString(r));
      case ENUM -> f.getEnumType().getValues().get(r.nextInt(f.getEnumType().getValues()
          .size()));
      case MESSAGE -> random(f.getMessageType(), r, depth + 1);
    };
  }

  private static Struct randomStruct(SplittableRandom r, int depth) {
    Struct.Builder s = Struct.newBuilder();
    int n = r.nextInt(4);
    for (int i = 0; i < n; i++) {
      s.putFields(randomString(r), randomJsonValue(r, depth + 1));
    }
    return s.build();
  }

  private static Value randomJsonValue(SplittableRandom r, int depth) {
    int kind = r.nextInt(depth > 3 ? 4 : 6);
    return switch (kind) {
      case 0 -> Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();
      case 1 -> Value.newBuilder().setBoolValue(r.nextBoolean()).build();
      case 2 -> Value.newBuilder().setNumberValue(r.nextInt(2) == 0 ? r.nextInt(1000)
          : r.nextDouble(-1e9, 1e9)).build();
      case 3 -> Value.newBuilder().setStringValue(randomString(r)).build();
      case 4 -> {
        ListValue.Builder l = ListValue.newBuilder();
        int n = r.nextInt(3);
        for (int i = 0; i < n; i++) {
          l.addValues(randomJsonValue(r, depth + 1));
        }
        yield Value.newBuilder().setListValue(l).build();
      }
      default -> Value.newBuilder().setStructValue(randomStruct(r, depth)).build();
    };
  }

  private static String randomString(SplittableRandom r) {
    // Some past ProtoTree.ENCODE_AHEAD_CHARS, which a generated message gets as UTF-8 bytes.
    int n = r.nextInt(5) == 0 ? r.nextInt(100, 400) : r.nextInt(12);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      switch (r.nextInt(5)) {
        case 0 -> sb.append((char) r.nextInt('a', 'z' + 1));
        case 1 -> sb.append("\"\\/\n\t".charAt(r.nextInt(5)));
        case 2 -> sb.append((char) r.nextInt(0x00A0, 0x0800));
        case 3 -> sb.appendCodePoint(r.nextInt(0x1F300, 0x1F600));
        default -> sb.append((char) r.nextInt(0x4E00, 0x9FFF));
      }
    }
    return sb.toString();
  }
}
