package io.treestore.server;

import io.treestore.index.Utf8Text;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.json.UTF8JsonGenerator;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.deser.std.StdScalarDeserializer;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.ser.std.StdSerializer;
import tools.jackson.databind.type.LogicalType;

/**
 * The JSON mapping of {@link Utf8Text}: a JSON string. Written to a UTF-8 output (the HTTP
 * answers) straight from its UTF-8 bytes, escaped by the generator as any string, without
 * turning it into a {@link String}; to any other output (a tree for the gRPC mapping) as its
 * string. Read from a JSON string.
 */
final class TextJson {
  private TextJson() {}

  /**
   * Returns the module that maps {@link Utf8Text}.
   *
   * @return a new module; register it once per mapper
   */
  static SimpleModule module() {
    return new SimpleModule("treestore-utf8-text")
        .addSerializer(Utf8Text.class, new Writer())
        .addDeserializer(Utf8Text.class, new Reader());
  }

  private static final class Writer extends StdSerializer<Utf8Text> {
    Writer() {
      super(Utf8Text.class);
    }

    @Override
    public void serialize(Utf8Text value, JsonGenerator gen, SerializationContext ctxt)
        throws JacksonException {
      if (gen instanceof UTF8JsonGenerator) {
        byte[] utf8 = value.toUtf8();
        gen.writeUTF8String(utf8, 0, utf8.length);
      } else {
        gen.writeString(value.toString());
      }
    }
  }

  private static final class Reader extends StdScalarDeserializer<Utf8Text> {
    Reader() {
      super(Utf8Text.class);
    }

    @Override
    public LogicalType logicalType() {
      return LogicalType.Textual;
    }

    @Override
    public Utf8Text deserialize(JsonParser p, DeserializationContext ctxt)
        throws JacksonException {
      if (!p.hasToken(JsonToken.VALUE_STRING)) {
        return (Utf8Text) ctxt.handleUnexpectedToken(Utf8Text.class, p);
      }
      try {
        return Utf8Text.of(p.getString());
      } catch (IllegalArgumentException e) {
        return (Utf8Text) ctxt.handleWeirdStringValue(Utf8Text.class, p.getString(),
            e.getMessage());
      }
    }
  }
}
