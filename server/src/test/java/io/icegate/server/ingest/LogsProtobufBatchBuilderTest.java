package io.icegate.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.icegate.protocol.ProtocolException;
import io.icegate.protocol.otlp.OtlpLogsDecoder;
import io.icegate.server.config.Limits;
import io.icegate.storage.ingest.LogsBatchBuilder;
import io.icegate.storage.ingest.LogsProtobufBatchBuilder;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The wire reader against the ordinary path it replaces on the protobuf hot path: for generated
 * requests of every attribute kind, nesting, unicode, duplicate and missing fields, records over
 * the limits and with invalid ids, in canonical and in scrambled encodings (fields out of order,
 * singular fields repeated, unknown fields), {@link LogsProtobufBatchBuilder} gives the batch
 * that decoding the same bytes with protobuf-java, {@link LogsIngest#applyRecordLimits} and
 * {@link LogsBatchBuilder#build} give, cell by cell, and the same rejections. Mutated bytes either
 * go the ordinary way (null) or, if read, read as protobuf-java reads them; nothing else is thrown
 * and no Arrow memory is left behind.
 */
class LogsProtobufBatchBuilderTest {
  private static final long NOW = 1_700_000_000_123_456_789L;
  private static final Limits LIMITS = new Limits(0, 0, 0, 5, 40, 24);
  private static final String[] STRINGS = {
    "", "a", "x", "checkout", "é", "日本語", "😀", "\uE000", "line\nwith \"quotes\"", "a.b",
    "twenty-five characters!!!", "GET /api/v1/users 200"
  };
  private static final String[] KEYS = {
    "service.name", "deployment.environment", "k8s.pod.name", "container.name", "http.path",
    "a", "a.b", "b", "aa", "Z", "", "é", "\uE000", "😀", "service.namespace"
  };

  private RootAllocator allocator;

  @BeforeEach
  void open() {
    allocator = new RootAllocator();
  }

  @AfterEach
  void leaveNothingAllocated() {
    assertThat(allocator.getAllocatedMemory()).isZero();
    allocator.close();
  }

  @Test
  void generatedRequestsGiveTheOrdinaryPathsBatchCellByCell() throws IOException {
    SplittableRandom random = new SplittableRandom(7);
    int read = 0;
    for (int i = 0; i < 1500; i++) {
      ExportLogsServiceRequest request = request(random);
      byte[] bytes = random.nextInt(3) == 0 ? request.toByteArray() : scrambled(request, random);
      assertSameAsOrdinaryPath(bytes, true);
      read++;
    }
    assertThat(read).isEqualTo(1500);
  }

  @Test
  void recordsWithOnlySimpleAttributesAreWrittenSortedWithTheLastOfEqualKeys() {
    LogRecord record =
        LogRecord.newBuilder()
            .setTimeUnixNano(5)
            .setBody(AnyValue.newBuilder().setStringValue("hello"))
            .addAttributes(kv("b", AnyValue.newBuilder().setIntValue(-3).build()))
            .addAttributes(kv("a", AnyValue.newBuilder().setStringValue("first").build()))
            .addAttributes(kv("a", AnyValue.newBuilder().setBoolValue(true).build()))
            .build();
    byte[] bytes = wrap(record, Resource.getDefaultInstance()).toByteArray();
    LogsProtobufBatchBuilder.Result result =
        LogsProtobufBatchBuilder.build(
            bytes, "t", NOW, LogsProtobufBatchBuilder.NO_LIMITS, allocator);
    try (VectorSchemaRoot batch = result.batch()) {
      assertThat(batch.getRowCount()).isEqualTo(1);
      // Hand-computed: keys in byte order, "a" = the later value, integers in decimal.
      assertThat(batch.getVector("log_attributes").getObject(0).toString())
          .isEqualTo("[{\"key\":\"a\",\"value\":\"true\"},{\"key\":\"b\",\"value\":\"-3\"}]");
      assertThat(batch.getVector("body").getObject(0).toString()).isEqualTo("hello");
      assertThat(batch.getVector("stream_labels").getObject(0).toString())
          .isEqualTo("{service_name=\"unknown_service\"}");
      assertThat(batch.getVector("observed_timestamp").getObject(0)).isNotNull();
    }
  }

  @Test
  void aResourceSentTwiceIsLeftToProtobufWhichMergesIt() throws IOException {
    ByteArrayOutputStream resourceLogs = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(resourceLogs);
    out.writeMessage(1, Resource.newBuilder().addAttributes(str("service.name", "a")).build());
    out.writeMessage(2, ScopeLogs.newBuilder().addLogRecords(LogRecord.getDefaultInstance()).build());
    out.writeMessage(1, Resource.newBuilder().addAttributes(str("k8s.pod.name", "p")).build());
    out.flush();
    byte[] bytes = request(resourceLogs.toByteArray());
    assertThat(
            LogsProtobufBatchBuilder.build(
                bytes, "t", NOW, LogsProtobufBatchBuilder.NO_LIMITS, allocator))
        .isNull();
  }

  @Test
  void invalidUtf8IsLeftToProtobufWhichRefusesIt() throws IOException {
    byte[] bytes =
        wrap(LogRecord.newBuilder().setSeverityText("ERROR in module Ö, then more text").build(), Resource.getDefaultInstance())
            .toByteArray();
    int at = indexOf(bytes, "Ö".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    bytes[at + 1] = (byte) 0x41; // a lead byte followed by ASCII
    assertThat(
            LogsProtobufBatchBuilder.build(
                bytes, "t", NOW, LogsProtobufBatchBuilder.NO_LIMITS, allocator))
        .isNull();
    byte[] invalid = bytes;
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> OtlpLogsDecoder.decodeProtobuf(invalid))
        .isInstanceOf(ProtocolException.class);
  }

  @Test
  void mutatedBytesAreReadAsProtobufReadsThemOrLeftToIt() throws IOException {
    SplittableRandom random = new SplittableRandom(11);
    int direct = 0;
    int left = 0;
    for (int i = 0; i < 3000; i++) {
      ExportLogsServiceRequest request = request(random);
      byte[] bytes = random.nextBoolean() ? request.toByteArray() : scrambled(request, random);
      byte[] mutated = mutate(bytes, random);
      if (assertSameAsOrdinaryPath(mutated, false)) {
        direct++;
      } else {
        left++;
      }
    }
    // Both outcomes occur, so the check above tested each.
    assertThat(direct).isPositive();
    assertThat(left).isPositive();
  }

  /**
   * Compares the two paths on {@code bytes}; true if the wire reader read them. With {@code
   * mustRead} the bytes are well-formed and of a shape the reader handles, so it must read them.
   */
  private boolean assertSameAsOrdinaryPath(byte[] bytes, boolean mustRead) {
    LogsProtobufBatchBuilder.Result direct;
    try {
      direct =
          LogsProtobufBatchBuilder.build(
              bytes, "tenant-é", NOW, LogsIngest.recordLimits(LIMITS), allocator);
    } catch (Throwable t) {
      throw new AssertionError("the wire reader threw instead of leaving the bytes to protobuf", t);
    }
    ExportLogsServiceRequest decoded;
    try {
      decoded = OtlpLogsDecoder.decodeProtobuf(bytes);
    } catch (ProtocolException e) {
      if (direct != null) {
        direct.batch().close();
        fail("read bytes protobuf refuses: " + e.getMessage());
      }
      return false;
    }
    if (direct == null) {
      if (mustRead) {
        fail("left a well-formed request to protobuf: " + decoded);
      }
      return false;
    }
    LogsIngest.Filtered filtered = LogsIngest.applyRecordLimits(decoded, LIMITS);
    LogsBatchBuilder.Result ordinary =
        LogsBatchBuilder.build(filtered.request(), "tenant-é", NOW, allocator);
    try (VectorSchemaRoot expected = ordinary.batch();
        VectorSchemaRoot actual = direct.batch()) {
      assertThat(direct.overLimits() + direct.invalid())
          .as("rejected")
          .isEqualTo(filtered.rejected() + ordinary.rejected());
      String message =
          filtered.message() != null ? filtered.message() : ordinary.rejectionMessage();
      String directMessage =
          direct.overLimitsMessage() != null ? direct.overLimitsMessage() : direct.invalidMessage();
      assertThat(directMessage).as("rejection message").isEqualTo(message);
      if (ordinary.anyEvent()) {
        assertThat(direct.mayHaveEvents()).as("events noticed").isTrue();
      }
      assertSameCells(expected, actual, decoded);
    }
    return true;
  }

  private static void assertSameCells(
      VectorSchemaRoot expected, VectorSchemaRoot actual, ExportLogsServiceRequest request) {
    assertThat(actual.getSchema()).isEqualTo(expected.getSchema());
    assertThat(actual.getRowCount()).as("rows").isEqualTo(expected.getRowCount());
    for (FieldVector e : expected.getFieldVectors()) {
      FieldVector a = actual.getVector(e.getName());
      for (int row = 0; row < expected.getRowCount(); row++) {
        Object want = e.getObject(row);
        Object got = a.getObject(row);
        boolean same =
            want instanceof byte[] w && got instanceof byte[] g
                ? Arrays.equals(w, g)
                : Objects.equals(want, got);
        if (!same) {
          fail("column " + e.getName() + " row " + row + ": expected " + show(want) + " got "
              + show(got) + " for request " + request);
        }
      }
    }
  }

  private static String show(Object value) {
    return value instanceof byte[] bytes ? Arrays.toString(bytes) : String.valueOf(value);
  }

  // ---- generated requests

  private static ExportLogsServiceRequest request(SplittableRandom random) {
    ExportLogsServiceRequest.Builder request = ExportLogsServiceRequest.newBuilder();
    int resources = random.nextInt(4);
    for (int r = 0; r < resources; r++) {
      ResourceLogs.Builder resourceLogs = ResourceLogs.newBuilder();
      if (random.nextInt(5) > 0) {
        Resource.Builder resource = Resource.newBuilder();
        int n = random.nextInt(5);
        for (int i = 0; i < n; i++) {
          resource.addAttributes(attribute(random, 1));
        }
        if (random.nextInt(6) == 0) {
          // A label value over the limit: every record of the resource is rejected.
          resource.addAttributes(str("k8s.pod.name", "pod-" + "x".repeat(30)));
        }
        resourceLogs.setResource(resource);
      }
      if (random.nextInt(4) == 0) {
        resourceLogs.setSchemaUrl("https://opentelemetry.io/schemas/1.21.0");
      }
      int scopes = random.nextInt(3);
      for (int s = 0; s < scopes; s++) {
        ScopeLogs.Builder scopeLogs = ScopeLogs.newBuilder();
        if (random.nextBoolean()) {
          InstrumentationScope.Builder scope = InstrumentationScope.newBuilder();
          scope.setName(pick(random, STRINGS));
          if (random.nextBoolean()) {
            scope.setVersion("1." + random.nextInt(3));
          }
          for (int i = random.nextInt(3); i > 0; i--) {
            scope.addAttributes(attribute(random, 1));
          }
          scopeLogs.setScope(scope);
        }
        int records = random.nextInt(7);
        for (int i = 0; i < records; i++) {
          scopeLogs.addLogRecords(record(random));
        }
        resourceLogs.addScopeLogs(scopeLogs);
      }
      request.addResourceLogs(resourceLogs);
    }
    return request.build();
  }

  private static LogRecord record(SplittableRandom random) {
    LogRecord.Builder record = LogRecord.newBuilder();
    if (random.nextBoolean()) {
      record.setTimeUnixNano(1_600_000_000_000_000_000L + random.nextLong(1_000_000_000L));
    }
    if (random.nextBoolean()) {
      record.setObservedTimeUnixNano(1_600_000_000_000_000_000L + random.nextLong(1_000_000_000L));
    }
    if (random.nextBoolean()) {
      record.setSeverityNumberValue(random.nextInt(30) - 3);
    }
    if (random.nextBoolean()) {
      record.setSeverityText(pick(random, STRINGS));
    }
    switch (random.nextInt(6)) {
      case 0 -> { } // no body
      case 1, 2, 3 -> record.setBody(AnyValue.newBuilder().setStringValue(pick(random, STRINGS)));
      default -> record.setBody(value(random, 0));
    }
    int attributes = random.nextInt(8);
    boolean simple = random.nextBoolean();
    for (int i = 0; i < attributes; i++) {
      record.addAttributes(simple ? simpleAttribute(random) : attribute(random, 0));
    }
    if (random.nextInt(4) == 0) {
      record.setDroppedAttributesCount(random.nextInt(5));
    }
    if (random.nextBoolean()) {
      record.setFlags(random.nextInt());
    }
    record.setTraceId(id(random, 16, 5));
    record.setSpanId(id(random, 8, 3));
    if (random.nextInt(10) == 0) {
      record.setEventName(pick(random, STRINGS));
    }
    return record.build();
  }

  private static ByteString id(SplittableRandom random, int valid, int invalid) {
    int length = switch (random.nextInt(6)) {
      case 0 -> 0;
      case 1 -> invalid;
      default -> valid;
    };
    byte[] id = new byte[length];
    for (int i = 0; i < length; i++) {
      id[i] = (byte) random.nextInt(256);
    }
    return ByteString.copyFrom(id);
  }

  private static KeyValue simpleAttribute(SplittableRandom random) {
    String key = pick(random, new String[] {"a", "b", "aa", "http.path", "Z", "", "a.b"});
    AnyValue value = switch (random.nextInt(3)) {
      case 0 -> AnyValue.newBuilder().setStringValue(pick(random, STRINGS)).build();
      case 1 -> AnyValue.newBuilder().setIntValue(random.nextLong() >> random.nextInt(64)).build();
      default -> AnyValue.newBuilder().setBoolValue(random.nextBoolean()).build();
    };
    return kv(key, value);
  }

  private static KeyValue attribute(SplittableRandom random, int depth) {
    String key = random.nextInt(40) == 0 ? "event.name" : pick(random, KEYS);
    if (random.nextInt(12) == 0) {
      return KeyValue.newBuilder().setKey(key).build(); // no value
    }
    return kv(key, value(random, depth));
  }

  private static AnyValue value(SplittableRandom random, int depth) {
    int kinds = depth < 3 ? 9 : 7;
    return switch (random.nextInt(kinds)) {
      case 0, 1 -> AnyValue.newBuilder().setStringValue(pick(random, STRINGS)).build();
      case 2 -> AnyValue.newBuilder().setBoolValue(random.nextBoolean()).build();
      case 3 -> AnyValue.newBuilder().setIntValue(random.nextLong() >> random.nextInt(64)).build();
      case 4 -> AnyValue.newBuilder()
          .setDoubleValue(pick(random, new Double[] {0.5, -2.0, 1e20, Double.NaN, 3.0, 1e-7}))
          .build();
      case 5 -> AnyValue.newBuilder()
          .setBytesValue(ByteString.copyFrom(new byte[] {1, (byte) 0xff, 0, 42}))
          .build();
      case 6 -> AnyValue.getDefaultInstance();
      case 7 -> {
        ArrayValue.Builder array = ArrayValue.newBuilder();
        for (int i = random.nextInt(4); i > 0; i--) {
          array.addValues(value(random, depth + 1));
        }
        yield AnyValue.newBuilder().setArrayValue(array).build();
      }
      default -> {
        KeyValueList.Builder list = KeyValueList.newBuilder();
        for (int i = random.nextInt(4); i > 0; i--) {
          list.addValues(kv(pick(random, KEYS), value(random, depth + 1)));
        }
        yield AnyValue.newBuilder().setKvlistValue(list).build();
      }
    };
  }

  // ---- encodings other than protobuf-java's canonical one

  /**
   * The request with its records' fields reversed, preceded by junk values of singular fields
   * (the later value counts) and unknown fields, and each scope and resource after its records.
   */
  private static byte[] scrambled(ExportLogsServiceRequest request, SplittableRandom random)
      throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(all);
    for (ResourceLogs resourceLogs : request.getResourceLogsList()) {
      ByteArrayOutputStream rl = new ByteArrayOutputStream();
      CodedOutputStream r = CodedOutputStream.newInstance(rl);
      for (ScopeLogs scopeLogs : resourceLogs.getScopeLogsList()) {
        ByteArrayOutputStream sl = new ByteArrayOutputStream();
        CodedOutputStream s = CodedOutputStream.newInstance(sl);
        for (LogRecord record : scopeLogs.getLogRecordsList()) {
          s.writeByteArray(2, scrambledRecord(record, random));
        }
        s.writeUInt64(77, 5); // unknown
        if (scopeLogs.hasScope()) {
          s.writeMessage(1, scopeLogs.getScope());
        }
        s.writeString(3, scopeLogs.getSchemaUrl());
        s.flush();
        r.writeByteArray(2, sl.toByteArray());
      }
      if (resourceLogs.hasResource()) {
        r.writeMessage(1, resourceLogs.getResource());
      }
      r.writeFixed32(1000, 9); // the reserved field: unknown
      r.flush();
      out.writeByteArray(1, rl.toByteArray());
    }
    out.writeString(2, "unknown top-level field");
    out.flush();
    return all.toByteArray();
  }

  private static byte[] scrambledRecord(LogRecord record, SplittableRandom random)
      throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    if (random.nextBoolean()) {
      // Earlier values of singular fields, which the record's own later ones override (or, when
      // the record has the default, which stay).
      out.writeFixed64(1, 42);
      out.writeString(3, "junk");
      out.writeBytes(9, ByteString.copyFrom(new byte[3]));
      out.writeEnum(2, 7);
      out.writeFixed32(8, 1);
      out.writeString(12, "");
    }
    out.writeUInt64(1, 99); // field 1 as a varint: not time_unix_nano's wire type, so unknown
    out.writeFixed64(4, 123); // reserved field number: unknown
    out.writeString(12, record.getEventName());
    out.writeBytes(10, record.getSpanId());
    out.writeBytes(9, record.getTraceId());
    out.writeFixed32(8, record.getFlags());
    out.writeUInt32(7, record.getDroppedAttributesCount());
    for (KeyValue kv : record.getAttributesList()) {
      out.writeMessage(6, kv);
    }
    if (record.hasBody()) {
      out.writeMessage(5, record.getBody());
    }
    out.writeString(3, record.getSeverityText());
    out.writeEnum(2, record.getSeverityNumberValue());
    out.writeFixed64(11, record.getObservedTimeUnixNano());
    out.writeFixed64(1, record.getTimeUnixNano());
    out.flush();
    return bytes.toByteArray();
  }

  private static byte[] mutate(byte[] bytes, SplittableRandom random) {
    if (bytes.length == 0) {
      return new byte[] {(byte) random.nextInt(256)};
    }
    byte[] out = bytes.clone();
    switch (random.nextInt(4)) {
      case 0 -> {
        for (int i = 1 + random.nextInt(3); i > 0; i--) {
          out[random.nextInt(out.length)] = (byte) random.nextInt(256);
        }
      }
      case 1 -> out = Arrays.copyOf(out, random.nextInt(out.length));
      case 2 -> {
        int at = random.nextInt(out.length);
        out[at] = (byte) (out[at] ^ (1 << random.nextInt(8)));
      }
      default -> {
        int at = random.nextInt(out.length + 1);
        byte[] grown = new byte[out.length + 1];
        System.arraycopy(out, 0, grown, 0, at);
        grown[at] = (byte) random.nextInt(256);
        System.arraycopy(out, at, grown, at + 1, out.length - at);
        out = grown;
      }
    }
    return out;
  }

  private static byte[] request(byte[] resourceLogs) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeByteArray(1, resourceLogs);
    out.flush();
    return bytes.toByteArray();
  }

  private static ExportLogsServiceRequest wrap(LogRecord record, Resource resource) {
    return ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(
            ResourceLogs.newBuilder()
                .setResource(resource)
                .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(record)))
        .build();
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
        return i;
      }
    }
    throw new AssertionError("not found");
  }

  private static <T> T pick(SplittableRandom random, T[] values) {
    return values[random.nextInt(values.length)];
  }

  private static KeyValue str(String key, String value) {
    return kv(key, AnyValue.newBuilder().setStringValue(value).build());
  }

  private static KeyValue kv(String key, AnyValue value) {
    return KeyValue.newBuilder().setKey(key).setValue(value).build();
  }
}
