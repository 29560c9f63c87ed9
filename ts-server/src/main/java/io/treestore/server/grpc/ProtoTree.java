package io.treestore.server.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.GeneratedMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.ListValue;
import com.google.protobuf.Message;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import com.google.protobuf.util.Timestamps;
import java.text.ParseException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Converts between protobuf messages and Jackson JSON trees by the messages' field
 * descriptors, with the mapping of the proto3 JSON specification
 * (https://protobuf.dev/programming-guides/json/) as {@link JsonFormat} implements it, but
 * without JSON text in between: the gRPC transport turns a store's answer record into a tree
 * with Jackson ({@code valueToTree}) and the tree into the answer message here, and a request
 * message into a tree here and the tree into the request record with Jackson. Formatting and
 * parsing JSON text for every call cost about 15-20 microseconds per kilobyte of answer.
 *
 * <p>Field names are the proto field names (snake_case, as the stores' records use); JSON
 * names (lowerCamelCase) are accepted when reading. Unknown fields and JSON nulls are skipped
 * (as {@code JsonFormat.parser().ignoringUnknownFields()} does). {@code Struct},
 * {@code Value}, {@code ListValue} and {@code Timestamp} are mapped directly; any other
 * well-known type falls back to {@link JsonFormat} for its subtree.
 *
 * <p>Stateless and thread-safe.
 */
final class ProtoTree {
  private static final JsonFormat.Parser FALLBACK_PARSER =
      JsonFormat.parser().ignoringUnknownFields();
  private static final JsonFormat.Printer FALLBACK_PRINTER =
      JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  /**
   * Strings at least this long (in chars) are set on a generated message as UTF-8 bytes
   * ({@link ByteString#copyFromUtf8}): one encoding by the JDK, instead of protobuf's
   * char-by-char length computation and encoding when the message is written.
   */
  static final int ENCODE_AHEAD_CHARS = 128;

  private ProtoTree() {}

  // ------------------------------------------------------------------ tree -> message

  /**
   * Merges a JSON object into a message builder.
   *
   * @param json a JSON object
   * @param b the builder of the target message
   * @throws InvalidProtocolBufferException if a value does not fit its field (wrong JSON type,
   *     a number out of range or not integral, an unknown enum name, a malformed timestamp)
   */
  static void merge(JsonNode json, Message.Builder b) throws InvalidProtocolBufferException {
    Descriptor d = b.getDescriptorForType();
    if (isSpecial(d)) {
      mergeSpecial(json, b);
      return;
    }
    if (!json.isObject()) {
      throw new InvalidProtocolBufferException("expected a JSON object for " + d.getFullName()
          + ", got " + json.getNodeType());
    }
    for (Map.Entry<String, JsonNode> e : json.properties()) {
      FieldDescriptor f = d.findFieldByName(e.getKey());
      if (f == null) {
        f = byJsonName(d, e.getKey());
        if (f == null) {
          continue;
        }
      }
      JsonNode v = e.getValue();
      if (v.isNull() && !isValueMessage(f)) {
        continue;
      }
      if (f.isMapField()) {
        mergeMap(f, v, b);
      } else if (f.isRepeated()) {
        if (!v.isArray()) {
          throw new InvalidProtocolBufferException("field " + f.getName()
              + " expects a JSON array, got " + v.getNodeType());
        }
        for (JsonNode item : v) {
          b.addRepeatedField(f, value(f, item, b));
        }
      } else if (v.isString() && v.asString().length() >= ENCODE_AHEAD_CHARS
          && f.getJavaType() == FieldDescriptor.JavaType.STRING
          && b instanceof GeneratedMessage.Builder<?>) {
        // A generated message keeps a string field set as UTF-8 bytes and writes them as
        // they are; set as a String, it is measured and encoded char by char (twice for a
        // non-Latin-1 text), which made a page text's answer cost more than its read.
        b.setField(f, ByteString.copyFromUtf8(v.asString()));
      } else {
        b.setField(f, value(f, v, b));
      }
    }
  }

  private static @Nullable FieldDescriptor byJsonName(Descriptor d, String name) {
    for (FieldDescriptor f : d.getFields()) {
      if (f.getJsonName().equals(name)) {
        return f;
      }
    }
    return null;
  }

  private static void mergeMap(FieldDescriptor f, JsonNode v, Message.Builder b)
      throws InvalidProtocolBufferException {
    if (!v.isObject()) {
      throw new InvalidProtocolBufferException("map field " + f.getName()
          + " expects a JSON object, got " + v.getNodeType());
    }
    Descriptor entry = f.getMessageType();
    FieldDescriptor key = entry.findFieldByName("key");
    FieldDescriptor val = entry.findFieldByName("value");
    for (Map.Entry<String, JsonNode> e : v.properties()) {
      Message.Builder eb = b.newBuilderForField(f);
      eb.setField(key, value(key, NODES.stringNode(e.getKey()), eb));
      eb.setField(val, value(val, e.getValue(), eb));
      b.addRepeatedField(f, eb.build());
    }
  }

  private static Object value(FieldDescriptor f, JsonNode v, Message.Builder parent)
      throws InvalidProtocolBufferException {
    return switch (f.getJavaType()) {
      case INT -> (int) integral(f, v, Integer.MIN_VALUE, Integer.MAX_VALUE, unsigned32(f));
      case LONG -> integral(f, v, Long.MIN_VALUE, Long.MAX_VALUE, false);
      case FLOAT -> (float) floating(f, v);
      case DOUBLE -> floating(f, v);
      case BOOLEAN -> {
        if (v.isBoolean()) {
          yield v.booleanValue();
        }
        if (v.isString() && (v.asString().equals("true") || v.asString().equals("false"))) {
          yield Boolean.parseBoolean(v.asString());
        }
        throw mismatch(f, "a boolean", v);
      }
      case STRING -> {
        if (!v.isString()) {
          throw mismatch(f, "a string", v);
        }
        yield v.asString();
      }
      case BYTE_STRING -> {
        if (!v.isString()) {
          throw mismatch(f, "a base64 string", v);
        }
        try {
          yield ByteString.copyFrom(Base64.getDecoder().decode(v.asString()));
        } catch (IllegalArgumentException e) {
          throw mismatch(f, "a base64 string", v);
        }
      }
      case ENUM -> {
        EnumValueDescriptor ev = v.isIntegralNumber()
            ? f.getEnumType().findValueByNumber(v.intValue())
            : v.isString() ? f.getEnumType().findValueByName(v.asString()) : null;
        if (ev == null) {
          throw mismatch(f, "a value of " + f.getEnumType().getFullName(), v);
        }
        yield ev;
      }
      case MESSAGE -> {
        Message.Builder mb = parent.newBuilderForField(f);
        merge(v, mb);
        yield mb.build();
      }
    };
  }

  private static boolean unsigned32(FieldDescriptor f) {
    return f.getType() == FieldDescriptor.Type.UINT32
        || f.getType() == FieldDescriptor.Type.FIXED32;
  }

  private static long integral(FieldDescriptor f, JsonNode v, long min, long max,
      boolean unsigned) throws InvalidProtocolBufferException {
    long n;
    if (v.isIntegralNumber() && v.canConvertToLong()) {
      n = v.longValue();
    } else if (v.isNumber() && v.doubleValue() == Math.rint(v.doubleValue())
        && Math.abs(v.doubleValue()) < 0x1p63) {
      n = (long) v.doubleValue();
    } else if (v.isString()) {
      try {
        n = Long.parseLong(v.asString());
      } catch (NumberFormatException e) {
        throw mismatch(f, "an integer", v);
      }
    } else {
      throw mismatch(f, "an integer", v);
    }
    if (unsigned) {
      if (n < 0 || n > 0xFFFF_FFFFL) {
        throw mismatch(f, "an unsigned 32-bit integer", v);
      }
      return (int) n;
    }
    if (n < min || n > max) {
      throw mismatch(f, "an integer in [" + min + ", " + max + "]", v);
    }
    return n;
  }

  private static double floating(FieldDescriptor f, JsonNode v)
      throws InvalidProtocolBufferException {
    if (v.isNumber()) {
      return v.doubleValue();
    }
    if (v.isString()) {
      switch (v.asString()) {
        case "NaN" -> {
          return Double.NaN;
        }
        case "Infinity" -> {
          return Double.POSITIVE_INFINITY;
        }
        case "-Infinity" -> {
          return Double.NEGATIVE_INFINITY;
        }
        default -> {
          try {
            return Double.parseDouble(v.asString());
          } catch (NumberFormatException e) {
            throw mismatch(f, "a number", v);
          }
        }
      }
    }
    throw mismatch(f, "a number", v);
  }

  private static InvalidProtocolBufferException mismatch(FieldDescriptor f, String expected,
      JsonNode v) {
    String shown = v.toString();
    if (shown.length() > 60) {
      shown = shown.substring(0, 57) + "...";
    }
    return new InvalidProtocolBufferException("field " + f.getName() + " expects " + expected
        + ", got " + shown);
  }

  private static boolean isValueMessage(FieldDescriptor f) {
    return f.getJavaType() == FieldDescriptor.JavaType.MESSAGE
        && f.getMessageType().getFullName().equals(Value.getDescriptor().getFullName());
  }

  private static boolean isSpecial(Descriptor d) {
    return d.getFile().getPackage().equals("google.protobuf");
  }

  private static void mergeSpecial(JsonNode json, Message.Builder b)
      throws InvalidProtocolBufferException {
    if (b instanceof Struct.Builder s) {
      s.mergeFrom(struct(json));
    } else if (b instanceof Value.Builder v) {
      v.mergeFrom(value(json));
    } else if (b instanceof ListValue.Builder l) {
      l.mergeFrom(list(json));
    } else if (b instanceof Timestamp.Builder t) {
      if (!json.isString()) {
        throw new InvalidProtocolBufferException("a timestamp must be an RFC 3339 string, got "
            + json.getNodeType());
      }
      try {
        t.mergeFrom(Timestamps.parse(json.asString()));
      } catch (ParseException e) {
        throw new InvalidProtocolBufferException("malformed timestamp '" + json.asString()
            + "': " + e.getMessage());
      }
    } else {
      FALLBACK_PARSER.merge(json.toString(), b);
    }
  }

  private static Struct struct(JsonNode json) throws InvalidProtocolBufferException {
    if (!json.isObject()) {
      throw new InvalidProtocolBufferException("a Struct must be a JSON object, got "
          + json.getNodeType());
    }
    Struct.Builder s = Struct.newBuilder();
    for (Map.Entry<String, JsonNode> e : json.properties()) {
      s.putFields(e.getKey(), value(e.getValue()));
    }
    return s.build();
  }

  private static ListValue list(JsonNode json) throws InvalidProtocolBufferException {
    if (!json.isArray()) {
      throw new InvalidProtocolBufferException("a ListValue must be a JSON array, got "
          + json.getNodeType());
    }
    ListValue.Builder l = ListValue.newBuilder();
    for (JsonNode item : json) {
      l.addValues(value(item));
    }
    return l.build();
  }

  private static Value value(JsonNode json) throws InvalidProtocolBufferException {
    Value.Builder v = Value.newBuilder();
    if (json.isNull() || json.isMissingNode()) {
      v.setNullValue(NullValue.NULL_VALUE);
    } else if (json.isBoolean()) {
      v.setBoolValue(json.booleanValue());
    } else if (json.isNumber()) {
      v.setNumberValue(json.doubleValue());
    } else if (json.isString()) {
      v.setStringValue(json.asString());
    } else if (json.isArray()) {
      v.setListValue(list(json));
    } else if (json.isObject()) {
      v.setStructValue(struct(json));
    } else {
      throw new InvalidProtocolBufferException("no protobuf Value for JSON "
          + json.getNodeType());
    }
    return v.build();
  }

  // ------------------------------------------------------------------ message -> tree

  /**
   * Converts a message to a JSON tree: the fields that are set (proto3: non-default scalars,
   * present optional fields, non-empty repeated fields and maps), by proto field name;
   * 64-bit integers as JSON numbers, bytes as base64, enums by name.
   *
   * @param m the message
   * @return the JSON tree (an object, or for {@code Value} and {@code ListValue} any JSON)
   * @throws InvalidProtocolBufferException if a well-known type converted by the fallback
   *     cannot be printed
   */
  static JsonNode toTree(Message m) throws InvalidProtocolBufferException {
    if (isSpecial(m.getDescriptorForType())) {
      return specialToTree(m);
    }
    ObjectNode o = NODES.objectNode();
    for (Map.Entry<FieldDescriptor, Object> e : m.getAllFields().entrySet()) {
      FieldDescriptor f = e.getKey();
      if (f.isMapField()) {
        ObjectNode map = NODES.objectNode();
        for (Object entry : (List<?>) e.getValue()) {
          Message em = (Message) entry;
          Descriptor ed = em.getDescriptorForType();
          map.set(String.valueOf(em.getField(ed.findFieldByName("key"))),
              fieldToTree(ed.findFieldByName("value"), em.getField(ed.findFieldByName("value"))));
        }
        o.set(f.getName(), map);
      } else if (f.isRepeated()) {
        ArrayNode a = NODES.arrayNode();
        for (Object item : (List<?>) e.getValue()) {
          a.add(fieldToTree(f, item));
        }
        o.set(f.getName(), a);
      } else {
        o.set(f.getName(), fieldToTree(f, e.getValue()));
      }
    }
    return o;
  }

  private static JsonNode fieldToTree(FieldDescriptor f, Object v)
      throws InvalidProtocolBufferException {
    return switch (f.getJavaType()) {
      case INT -> unsigned32(f) ? NODES.numberNode(Integer.toUnsignedLong((Integer) v))
          : NODES.numberNode((Integer) v);
      case LONG -> f.getType() == FieldDescriptor.Type.UINT64
          || f.getType() == FieldDescriptor.Type.FIXED64
          ? NODES.stringNode(Long.toUnsignedString((Long) v)) : NODES.numberNode((Long) v);
      case FLOAT -> number(((Float) v).doubleValue(), true);
      case DOUBLE -> number((Double) v, false);
      case BOOLEAN -> NODES.booleanNode((Boolean) v);
      case STRING -> NODES.stringNode((String) v);
      case BYTE_STRING -> NODES.stringNode(
          Base64.getEncoder().encodeToString(((ByteString) v).toByteArray()));
      case ENUM -> NODES.stringNode(((EnumValueDescriptor) v).getName());
      case MESSAGE -> toTree((Message) v);
    };
  }

  /** A finite number as a JSON number, others as the strings of the JSON mapping. */
  private static JsonNode number(double d, boolean isFloat) {
    if (Double.isNaN(d)) {
      return NODES.stringNode("NaN");
    }
    if (Double.isInfinite(d)) {
      return NODES.stringNode(d > 0 ? "Infinity" : "-Infinity");
    }
    return isFloat ? NODES.numberNode((float) d) : NODES.numberNode(d);
  }

  private static JsonNode specialToTree(Message m) throws InvalidProtocolBufferException {
    if (m instanceof Struct s) {
      ObjectNode o = NODES.objectNode();
      for (Map.Entry<String, Value> e : s.getFieldsMap().entrySet()) {
        o.set(e.getKey(), specialToTree(e.getValue()));
      }
      return o;
    }
    if (m instanceof Value v) {
      return switch (v.getKindCase()) {
        case NULL_VALUE, KIND_NOT_SET -> NODES.nullNode();
        case BOOL_VALUE -> NODES.booleanNode(v.getBoolValue());
        case NUMBER_VALUE -> NODES.numberNode(v.getNumberValue());
        case STRING_VALUE -> NODES.stringNode(v.getStringValue());
        case LIST_VALUE -> specialToTree(v.getListValue());
        case STRUCT_VALUE -> specialToTree(v.getStructValue());
      };
    }
    if (m instanceof ListValue l) {
      ArrayNode a = NODES.arrayNode();
      for (Value v : l.getValuesList()) {
        a.add(specialToTree(v));
      }
      return a;
    }
    if (m instanceof Timestamp t) {
      return NODES.stringNode(Timestamps.toString(t));
    }
    return io.treestore.server.Json.MAPPER.readTree(FALLBACK_PRINTER.print(m));
  }
}
