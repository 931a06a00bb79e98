package io.icegate.storage.ingest;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import com.google.protobuf.UnsafeByteOperations;
import io.icegate.protocol.loki.LabelSetCodec;
import io.icegate.protocol.loki.LokiOtlpLabels;
import io.icegate.storage.table.LogsTable;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SortedMap;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.MapVector;

/**
 * Builds the {@code logs} batch straight from the protobuf bytes of an OTLP {@code
 * ExportLogsServiceRequest}, the same batch {@link LogsBatchBuilder#build} makes from the decoded
 * message (after the caller's per-record limits), without the message: on the ingest hot path,
 * decoding 1,000 records into objects, their strings into {@code String}s and those back into
 * UTF-8 cost more than writing the columns.
 *
 * <p>Record fields, and attributes whose values are strings, integers or booleans under ASCII keys,
 * are read from the wire and their bytes copied into the vectors. What needs the general rules is
 * handed to them: a resource's and a scope's attributes (once per resource or scope, for all its
 * records), and a record's attributes or body of other kinds, are decoded by protobuf-java from
 * their own bytes and written by the same code {@link LogsBatchBuilder} uses.
 *
 * <p>Anything else this reader does not decide itself, it leaves to protobuf-java for the whole
 * request, by returning null: malformed bytes (so protobuf's own error reaches the client), a
 * singular message field sent twice (which protobuf merges), groups, invalid UTF-8 anywhere
 * protobuf checks it, nesting near protobuf's recursion limit. Unknown fields are skipped, as
 * protobuf skips them when decoding.
 */
public final class LogsProtobufBatchBuilder {
  /**
   * A protobuf parser that reads a nested message from its own bytes stops at this depth. It is
   * well inside protobuf-java's default limit of 100 less the depth of the deepest such message in
   * a request (a record's attribute, at 4), so whatever parses here also parses in the whole
   * request; deeper values go the ordinary way, which decides.
   */
  private static final int NESTED_RECURSION_LIMIT = 80;

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final byte[] TRUE = "true".getBytes(UTF_8);
  private static final byte[] FALSE = "false".getBytes(UTF_8);
  private static final byte[] EVENT_NAME_KEY =
      EventsBatchBuilder.EVENT_NAME_ATTRIBUTE.getBytes(UTF_8);

  // Tags (field number << 3 | wire type) of the fields read here.
  private static final int LENGTH_DELIMITED = 2;
  private static final int TAG_REQUEST_RESOURCE_LOGS = 1 << 3 | LENGTH_DELIMITED;
  private static final int TAG_RESOURCE = 1 << 3 | LENGTH_DELIMITED;
  private static final int TAG_SCOPE_LOGS = 2 << 3 | LENGTH_DELIMITED;
  private static final int TAG_SCHEMA_URL = 3 << 3 | LENGTH_DELIMITED;
  private static final int TAG_SCOPE = 1 << 3 | LENGTH_DELIMITED;
  private static final int TAG_LOG_RECORDS = 2 << 3 | LENGTH_DELIMITED;
  private static final int TAG_TIME = 1 << 3 | 1;
  private static final int TAG_OBSERVED_TIME = 11 << 3 | 1;
  private static final int TAG_SEVERITY_NUMBER = 2 << 3;
  private static final int TAG_SEVERITY_TEXT = 3 << 3 | LENGTH_DELIMITED;
  private static final int TAG_BODY = 5 << 3 | LENGTH_DELIMITED;
  private static final int TAG_ATTRIBUTES = 6 << 3 | LENGTH_DELIMITED;
  private static final int TAG_DROPPED_ATTRIBUTES = 7 << 3;
  private static final int TAG_FLAGS = 8 << 3 | 5;
  private static final int TAG_TRACE_ID = 9 << 3 | LENGTH_DELIMITED;
  private static final int TAG_SPAN_ID = 10 << 3 | LENGTH_DELIMITED;
  private static final int TAG_EVENT_NAME = 12 << 3 | LENGTH_DELIMITED;
  private static final int TAG_KEY = 1 << 3 | LENGTH_DELIMITED;
  private static final int TAG_VALUE = 2 << 3 | LENGTH_DELIMITED;
  private static final int TAG_STRING_VALUE = 1 << 3 | LENGTH_DELIMITED;
  private static final int TAG_BOOL_VALUE = 2 << 3;
  private static final int TAG_INT_VALUE = 3 << 3;

  /**
   * The per-record limits the caller enforces, checked while the request is read (so it is read
   * once). A resource whose stream labels break them rejects all its records; a record with too
   * many attributes of its own is rejected. The caller words the messages.
   */
  public interface RecordLimits {
    int maxAttributesPerRecord();

    /** Why a resource with these stream labels is refused, or null if it is not. */
    String labelProblem(SortedMap<String, String> streamLabels);

    /** Why a record with {@code attributes} attributes (over the maximum) is refused. */
    String attributesProblem(int attributes);
  }

  /** No per-record limits. */
  public static final RecordLimits NO_LIMITS =
      new RecordLimits() {
        @Override
        public int maxAttributesPerRecord() {
          return Integer.MAX_VALUE;
        }

        @Override
        public String labelProblem(SortedMap<String, String> streamLabels) {
          return null;
        }

        @Override
        public String attributesProblem(int attributes) {
          throw new IllegalStateException("no limit to break");
        }
      };

  /**
   * The batch (owned by the caller) and what was rejected, in the two kinds the ordinary path
   * reports separately: over the caller's limits (first message of those), and invalid by OTLP's
   * rules, counted only among records within the limits (first message of those).
   *
   * @param mayHaveEvents true if some record has an event name or an {@code event.name}
   *     attribute: a caller that stores events too takes the ordinary path for such a request
   */
  public record Result(
      VectorSchemaRoot batch,
      long overLimits,
      String overLimitsMessage,
      int invalid,
      String invalidMessage,
      boolean mayHaveEvents) {}

  private LogsProtobufBatchBuilder() {}

  /**
   * Builds the batch for {@code tenant} from {@code body}, the protobuf bytes of a request;
   * {@code nowNanos} stamps ingested_timestamp.
   *
   * @return the batch, or null if the request is to be decoded the ordinary way (see the class
   *     comment), which then also reports a malformed body
   */
  public static Result build(
      byte[] body, String tenant, long nowNanos, RecordLimits limits, BufferAllocator allocator) {
    VectorSchemaRoot root = VectorSchemaRoot.create(LogsBatchBuilder.ARROW_SCHEMA, allocator);
    try {
      root.allocateNew();
      Reader reader = new Reader(body, root, tenant.getBytes(UTF_8), nowNanos, limits);
      reader.request();
      reader.c.finish(reader.row);
      root.setRowCount(reader.row);
      return new Result(
          root, reader.overLimits, reader.overLimitsMessage, reader.invalid,
          reader.invalidMessage, reader.mayHaveEvents);
    } catch (NotHere e) {
      root.close();
      return null;
    } catch (RuntimeException | Error e) {
      root.close();
      throw e;
    }
  }

  /** The request goes the ordinary way; thrown without a stack trace, caught in {@link #build}. */
  private static final class NotHere extends RuntimeException {
    static final NotHere INSTANCE = new NotHere();

    private NotHere() {
      super("left to protobuf-java", null, false, false);
    }
  }

  /** One request's reading: a cursor over the bytes and the batch being written. */
  private static final class Reader {
    private final byte[] b;
    private int pos;

    private final byte[] tenant;
    private final long now;
    private final RecordLimits limits;
    final Columns c;
    int row;
    long overLimits;
    String overLimitsMessage;
    int invalid;
    String invalidMessage;
    boolean mayHaveEvents;

    // The resource and scope being read: what each of their records repeats.
    private String resourceProblem;
    private byte[] service;
    private byte[] streamLabels;
    private AttributeColumn.Encoded resourceMap;
    private AttributeColumn.Encoded scopeMap;
    private byte[] scopeName;
    private byte[] scopeVersion;

    // The record being read; attribute i's bytes are at attrStart[i] .. attrEnd[i].
    private int[] attrStart = new int[16];
    private int[] attrEnd = new int[16];
    private int attributes;
    // Its attributes read from the wire (when all are simple), in arrival order.
    private int[] keyStart = new int[16];
    private int[] keyLength = new int[16];
    private byte[][] valueText = new byte[16][];
    private int[] valueStart = new int[16];
    private int[] valueLength = new int[16];
    private int[] order = new int[16];

    Reader(byte[] body, VectorSchemaRoot root, byte[] tenant, long now, RecordLimits limits) {
      this.b = body;
      this.tenant = tenant;
      this.now = now;
      this.limits = limits;
      this.c = new Columns(root);
    }

    void request() {
      int end = b.length;
      pos = 0;
      while (pos < end) {
        int tag = tag(end);
        if (tag == TAG_REQUEST_RESOURCE_LOGS) {
          int len = length(end);
          int start = pos;
          resourceLogs(start, start + len);
          pos = start + len;
        } else {
          skip(tag, end);
        }
      }
    }

    private void resourceLogs(int start, int end) {
      // Fields may come in any order: the resource first, as its records need it.
      int resourceStart = -1;
      int resourceEnd = -1;
      pos = start;
      while (pos < end) {
        int tag = tag(end);
        if (tag == TAG_RESOURCE) {
          if (resourceStart >= 0) {
            throw NotHere.INSTANCE; // protobuf merges the two
          }
          int len = length(end);
          resourceStart = pos;
          resourceEnd = pos + len;
          pos = resourceEnd;
        } else if (tag == TAG_SCHEMA_URL) {
          utf8(length(end));
        } else {
          skip(tag, end);
        }
      }
      Resource resource =
          resourceStart < 0
              ? Resource.getDefaultInstance()
              : nested(Resource.parser(), resourceStart, resourceEnd);
      List<KeyValue> attributes = resource.getAttributesList();
      SortedMap<String, String> labels = LokiOtlpLabels.streamLabels(attributes);
      resourceProblem = limits.labelProblem(labels);
      if (resourceProblem != null && overLimitsMessage == null) {
        overLimitsMessage = resourceProblem;
      }
      streamLabels = LabelSetCodec.encode(labels).getBytes(UTF_8);
      String serviceName = labels.get(LokiOtlpLabels.SERVICE_NAME_LABEL);
      service = serviceName == null ? null : serviceName.getBytes(UTF_8);
      resourceMap = AttributeColumn.Encoded.of(attributes);
      pos = start;
      while (pos < end) {
        int tag = tag(end);
        if (tag == TAG_SCOPE_LOGS) {
          int len = length(end);
          int scopeStart = pos;
          scopeLogs(scopeStart, scopeStart + len);
          pos = scopeStart + len;
        } else {
          skip(tag, end);
        }
      }
    }

    private void scopeLogs(int start, int end) {
      int scopeStart = -1;
      int scopeEnd = -1;
      pos = start;
      while (pos < end) {
        int tag = tag(end);
        if (tag == TAG_SCOPE) {
          if (scopeStart >= 0) {
            throw NotHere.INSTANCE;
          }
          int len = length(end);
          scopeStart = pos;
          scopeEnd = pos + len;
          pos = scopeEnd;
        } else if (tag == TAG_SCHEMA_URL) {
          utf8(length(end));
        } else {
          skip(tag, end);
        }
      }
      InstrumentationScope scope =
          scopeStart < 0
              ? InstrumentationScope.getDefaultInstance()
              : nested(InstrumentationScope.parser(), scopeStart, scopeEnd);
      scopeMap = AttributeColumn.Encoded.of(scope.getAttributesList());
      scopeName = emptyToNull(scope.getName());
      scopeVersion = emptyToNull(scope.getVersion());
      pos = start;
      while (pos < end) {
        int tag = tag(end);
        if (tag == TAG_LOG_RECORDS) {
          int len = length(end);
          int recordStart = pos;
          logRecord(recordStart, recordStart + len);
          pos = recordStart + len;
        } else {
          skip(tag, end);
        }
      }
    }

    private void logRecord(int start, int end) {
      long time = 0;
      long observed = 0;
      int severityNumber = 0;
      int severityStart = 0;
      int severityLength = 0;
      int bodyStart = -1;
      int bodyEnd = -1;
      int dropped = 0;
      int flags = 0;
      int traceStart = 0;
      int traceLength = 0;
      int spanStart = 0;
      int spanLength = 0;
      int eventStart = 0;
      int eventLength = 0;
      attributes = 0;
      pos = start;
      // Singular fields sent more than once: the last counts, as in protobuf.
      while (pos < end) {
        int tag = tag(end);
        switch (tag) {
          case TAG_TIME -> time = fixed64(end);
          case TAG_OBSERVED_TIME -> observed = fixed64(end);
          case TAG_SEVERITY_NUMBER -> severityNumber = (int) varint(end);
          case TAG_SEVERITY_TEXT -> {
            severityLength = length(end);
            severityStart = pos;
            utf8(severityLength);
          }
          case TAG_BODY -> {
            if (bodyStart >= 0) {
              throw NotHere.INSTANCE;
            }
            int len = length(end);
            bodyStart = pos;
            bodyEnd = pos + len;
            pos = bodyEnd;
          }
          case TAG_ATTRIBUTES -> {
            int len = length(end);
            addAttribute(pos, pos + len);
            pos += len;
          }
          case TAG_DROPPED_ATTRIBUTES -> dropped = (int) varint(end);
          case TAG_FLAGS -> flags = fixed32(end);
          case TAG_TRACE_ID -> {
            traceLength = length(end);
            traceStart = pos;
            pos += traceLength;
          }
          case TAG_SPAN_ID -> {
            spanLength = length(end);
            spanStart = pos;
            pos += spanLength;
          }
          case TAG_EVENT_NAME -> {
            eventLength = length(end);
            eventStart = pos;
            utf8(eventLength);
          }
          default -> skip(tag, end);
        }
      }
      if (eventLength > 0) {
        mayHaveEvents = true;
      }
      // Decoded (and so checked) whether or not the record is kept: the ordinary path decodes the
      // whole request before any limit applies.
      List<KeyValue> general = simpleAttributes() ? null : generalAttributes();
      AnyValue generalBody = null;
      int bodyTextStart = 0;
      int bodyTextLength = 0;
      if (bodyStart >= 0) {
        long simple = simpleString(bodyStart, bodyEnd);
        if (simple >= 0) {
          bodyTextStart = (int) (simple >>> 32);
          bodyTextLength = (int) simple;
        } else {
          generalBody = nested(AnyValue.parser(), bodyStart, bodyEnd);
        }
      }

      if (resourceProblem != null) {
        overLimits++;
        return;
      }
      if (attributes > limits.maxAttributesPerRecord()) {
        overLimits++;
        if (overLimitsMessage == null) {
          overLimitsMessage = limits.attributesProblem(attributes);
        }
        return;
      }
      String problem = LogsBatchBuilder.idProblem(traceLength, spanLength);
      if (problem != null) {
        invalid++;
        if (invalidMessage == null) {
          invalidMessage = problem;
        }
        return;
      }

      int r = row;
      // Loki and the OTLP data model: a record without a time is placed at its observed time,
      // and one with neither at the moment we received it.
      long effective = time != 0 ? time : observed != 0 ? observed : now;
      c.tenant.set(r, tenant, 0, tenant.length);
      setOrNull(c.service, r, service);
      c.timestamp.setSafe(r, effective);
      c.observed.setSafe(r, observed != 0 ? observed : effective);
      c.ingested.setSafe(r, now);
      if (traceLength == 0) {
        c.traceId.setNull(r);
      } else {
        c.traceId.setSafe(r, Arrays.copyOfRange(b, traceStart, traceStart + traceLength));
      }
      if (spanLength == 0) {
        c.spanId.setNull(r);
      } else {
        c.spanId.setSafe(r, Arrays.copyOfRange(b, spanStart, spanStart + spanLength));
      }
      if (severityLength == 0) {
        c.severityText.setNull(r);
      } else {
        c.severityText.set(r, b, severityStart, severityLength);
      }
      if (generalBody != null) {
        byte[] text = AttributeFlattener.bodyText(generalBody).getBytes(UTF_8);
        c.body.set(r, text, 0, text.length);
      } else {
        // An absent body, or one with no value, is the empty line.
        c.body.set(r, b, bodyTextStart, bodyTextLength);
      }
      c.resourceAttributes.write(r, resourceMap);
      c.scopeAttributes.write(r, scopeMap);
      if (general != null) {
        c.logAttributes.write(r, general);
      } else {
        writeSimpleAttributes(r);
      }
      if (severityNumber == 0) {
        c.severityNumber.setNull(r);
      } else {
        c.severityNumber.setSafe(r, severityNumber);
      }
      c.flags.setSafe(r, flags);
      setOrNull(c.scopeName, r, scopeName);
      setOrNull(c.scopeVersion, r, scopeVersion);
      if (eventLength == 0) {
        c.eventName.setNull(r);
      } else {
        c.eventName.set(r, b, eventStart, eventLength);
      }
      c.droppedAttributes.setSafe(r, dropped);
      c.streamLabels.set(r, streamLabels, 0, streamLabels.length);
      row++;
    }

    private void addAttribute(int start, int end) {
      if (attributes == attrStart.length) {
        int n = attributes * 2;
        attrStart = Arrays.copyOf(attrStart, n);
        attrEnd = Arrays.copyOf(attrEnd, n);
        keyStart = Arrays.copyOf(keyStart, n);
        keyLength = Arrays.copyOf(keyLength, n);
        valueText = Arrays.copyOf(valueText, n);
        valueStart = Arrays.copyOf(valueStart, n);
        valueLength = Arrays.copyOf(valueLength, n);
        order = Arrays.copyOf(order, n);
      }
      attrStart[attributes] = start;
      attrEnd[attributes] = end;
      attributes++;
    }

    /**
     * Reads the record's attributes from the wire if every one is simple: each field once, an
     * ASCII key (so byte order is {@link String#compareTo}'s order) and one string, integer or
     * boolean value. False leaves them to the general rules.
     */
    private boolean simpleAttributes() {
      for (int i = 0; i < attributes; i++) {
        if (!simpleAttribute(i)) {
          return false;
        }
      }
      return true;
    }

    private boolean simpleAttribute(int i) {
      int end = attrEnd[i];
      pos = attrStart[i];
      int kStart = 0;
      int kLength = 0;
      boolean key = false;
      int vStart = -1;
      int vEnd = -1;
      while (pos < end) {
        int tag = tag(end);
        if (tag == TAG_KEY && !key) {
          key = true;
          kLength = length(end);
          kStart = pos;
          for (int k = kStart; k < kStart + kLength; k++) {
            if (b[k] < 0) {
              return false;
            }
          }
          pos += kLength;
        } else if (tag == TAG_VALUE && vStart < 0) {
          int len = length(end);
          vStart = pos;
          vEnd = pos + len;
          pos = vEnd;
        } else {
          return false;
        }
      }
      if (vStart < 0) {
        return false; // no value: dropped by the general rules
      }
      keyStart[i] = kStart;
      keyLength[i] = kLength;
      if (kLength == EVENT_NAME_KEY.length
          && Arrays.equals(b, kStart, kStart + kLength, EVENT_NAME_KEY, 0, kLength)) {
        mayHaveEvents = true;
      }
      // The value: exactly one field, of a simple kind.
      pos = vStart;
      if (pos >= vEnd) {
        return false;
      }
      int tag = tag(vEnd);
      switch (tag) {
        case TAG_STRING_VALUE -> {
          int len = length(vEnd);
          valueText[i] = null;
          valueStart[i] = pos;
          valueLength[i] = len;
          utf8(len);
        }
        case TAG_INT_VALUE -> {
          valueText[i] = Long.toString(varint(vEnd)).getBytes(UTF_8);
          valueStart[i] = 0;
          valueLength[i] = valueText[i].length;
        }
        case TAG_BOOL_VALUE -> {
          valueText[i] = varint(vEnd) != 0 ? TRUE : FALSE;
          valueStart[i] = 0;
          valueLength[i] = valueText[i].length;
        }
        default -> {
          return false;
        }
      }
      return pos == vEnd;
    }

    /** The record's attributes decoded by protobuf-java, for the general rules. */
    private List<KeyValue> generalAttributes() {
      List<KeyValue> list = new ArrayList<>(attributes);
      for (int i = 0; i < attributes; i++) {
        KeyValue kv = nested(KeyValue.parser(), attrStart[i], attrEnd[i]);
        if (kv.getKey().equals(EventsBatchBuilder.EVENT_NAME_ATTRIBUTE)) {
          mayHaveEvents = true;
        }
        list.add(kv);
      }
      return list;
    }

    /** Writes attributes read by {@link #simpleAttributes}: sorted by key, the last of equals. */
    private void writeSimpleAttributes(int r) {
      int n = attributes;
      for (int i = 0; i < n; i++) {
        int j = i;
        while (j > 0 && compareKeys(order[j - 1], i) > 0) {
          order[j] = order[j - 1];
          j--;
        }
        order[j] = i;
      }
      AttributeColumn map = c.logAttributes;
      map.begin(r);
      for (int i = 0; i < n; i++) {
        int a = order[i];
        if (i + 1 < n && compareKeys(order[i + 1], a) == 0) {
          continue;
        }
        byte[] text = valueText[a];
        map.entry(b, keyStart[a], keyLength[a], text != null ? text : b, valueStart[a],
            valueLength[a]);
      }
      map.end(r);
    }

    private int compareKeys(int x, int y) {
      return Arrays.compareUnsigned(
          b, keyStart[x], keyStart[x] + keyLength[x], b, keyStart[y], keyStart[y] + keyLength[y]);
    }

    /**
     * A body that is exactly one string value (or no value, the empty string): its bytes'
     * position in the high and length in the low half; -1 for any other body.
     */
    private long simpleString(int start, int end) {
      pos = start;
      if (pos == end) {
        return 0; // no value: the empty line
      }
      if (tag(end) != TAG_STRING_VALUE) {
        return -1;
      }
      int len = length(end);
      int textStart = pos;
      if (textStart + len != end) {
        return -1;
      }
      utf8(len);
      return (long) textStart << 32 | len;
    }

    /** A message decoded by protobuf-java from its bytes inside the request. */
    private <T> T nested(Parser<T> parser, int start, int end) {
      CodedInputStream in = CodedInputStream.newInstance(b, start, end - start);
      in.setRecursionLimit(NESTED_RECURSION_LIMIT);
      try {
        T message = parser.parseFrom(in);
        in.checkLastTagWas(0);
        return message;
      } catch (InvalidProtocolBufferException e) {
        throw NotHere.INSTANCE;
      }
    }

    // The wire format, as protobuf-java reads it; anything it would refuse is NotHere.

    private long varint(int end) {
      long result = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (pos >= end) {
          throw NotHere.INSTANCE;
        }
        byte x = b[pos++];
        result |= (long) (x & 0x7f) << shift;
        if (x >= 0) {
          return result;
        }
      }
      throw NotHere.INSTANCE;
    }

    private int tag(int end) {
      long tag = varint(end);
      if (tag >>> 32 != 0 || tag >>> 3 == 0) {
        throw NotHere.INSTANCE;
      }
      return (int) tag;
    }

    /** A length-delimited field's length, checked to fit in what remains of its message. */
    private int length(int end) {
      long len = varint(end);
      if (len < 0 || len > end - pos) {
        throw NotHere.INSTANCE;
      }
      return (int) len;
    }

    private long fixed64(int end) {
      if (end - pos < 8) {
        throw NotHere.INSTANCE;
      }
      long v = 0;
      for (int i = 7; i >= 0; i--) {
        v = v << 8 | (b[pos + i] & 0xffL);
      }
      pos += 8;
      return v;
    }

    private int fixed32(int end) {
      if (end - pos < 4) {
        throw NotHere.INSTANCE;
      }
      int v = (b[pos] & 0xff) | (b[pos + 1] & 0xff) << 8 | (b[pos + 2] & 0xff) << 16
          | (b[pos + 3] & 0xff) << 24;
      pos += 4;
      return v;
    }

    /** Checks the {@code len} bytes at the cursor are UTF-8 as protobuf requires, and passes them. */
    private void utf8(int len) {
      int end = pos + len;
      int i = pos;
      // Eight bytes at a time while they are all ASCII (no byte with its top bit set).
      while (i + 8 <= end && ((long) LONGS.get(b, i) & 0x8080808080808080L) == 0) {
        i += 8;
      }
      for (; i < end; i++) {
        // ASCII is checked here; from the first other byte on, by protobuf's own validator.
        if (b[i] < 0) {
          if (!UnsafeByteOperations.unsafeWrap(b, i, end - i).isValidUtf8()) {
            throw NotHere.INSTANCE;
          }
          break;
        }
      }
      pos = end;
    }

    /** Skips an unknown field; groups (deprecated, never in OTLP) go the ordinary way. */
    private void skip(int tag, int end) {
      switch (tag & 7) {
        case 0 -> varint(end);
        case 1 -> {
          if (end - pos < 8) {
            throw NotHere.INSTANCE;
          }
          pos += 8;
        }
        case 2 -> {
          int len = length(end);
          pos += len;
        }
        case 5 -> {
          if (end - pos < 4) {
            throw NotHere.INSTANCE;
          }
          pos += 4;
        }
        default -> throw NotHere.INSTANCE;
      }
    }
  }

  private static byte[] emptyToNull(String value) {
    return value.isEmpty() ? null : value.getBytes(UTF_8);
  }

  private static void setOrNull(Utf8Appender column, int row, byte[] value) {
    if (value == null) {
      column.setNull(row);
    } else {
      column.set(row, value, 0, value.length);
    }
  }

  /** Typed handles on the batch's columns, looked up once per request. */
  private static final class Columns {
    final Utf8Appender tenant;
    final Utf8Appender service;
    final TimeStampVector timestamp;
    final TimeStampVector observed;
    final TimeStampVector ingested;
    final FixedSizeBinaryVector traceId;
    final FixedSizeBinaryVector spanId;
    final Utf8Appender severityText;
    final Utf8Appender body;
    final AttributeColumn resourceAttributes;
    final AttributeColumn scopeAttributes;
    final AttributeColumn logAttributes;
    final IntVector severityNumber;
    final IntVector flags;
    final Utf8Appender scopeName;
    final Utf8Appender scopeVersion;
    final Utf8Appender eventName;
    final IntVector droppedAttributes;
    final Utf8Appender streamLabels;

    void finish(int rows) {
      for (Utf8Appender column :
          new Utf8Appender[] {
            tenant, service, severityText, body, scopeName, scopeVersion, eventName, streamLabels
          }) {
        column.finish(rows);
      }
      resourceAttributes.finish();
      scopeAttributes.finish();
      logAttributes.finish();
    }

    Columns(VectorSchemaRoot root) {
      tenant = new Utf8Appender((VarCharVector) root.getVector(LogsTable.TENANT_ID));
      service = new Utf8Appender((VarCharVector) root.getVector(LogsTable.SERVICE_NAME));
      timestamp = (TimeStampVector) root.getVector(LogsTable.TIMESTAMP);
      observed = (TimeStampVector) root.getVector(LogsTable.OBSERVED_TIMESTAMP);
      ingested = (TimeStampVector) root.getVector(LogsTable.INGESTED_TIMESTAMP);
      traceId = (FixedSizeBinaryVector) root.getVector(LogsTable.TRACE_ID);
      spanId = (FixedSizeBinaryVector) root.getVector(LogsTable.SPAN_ID);
      severityText = new Utf8Appender((VarCharVector) root.getVector(LogsTable.SEVERITY_TEXT));
      body = new Utf8Appender((VarCharVector) root.getVector(LogsTable.BODY));
      resourceAttributes =
          new AttributeColumn((MapVector) root.getVector(LogsTable.RESOURCE_ATTRIBUTES));
      scopeAttributes = new AttributeColumn((MapVector) root.getVector(LogsTable.SCOPE_ATTRIBUTES));
      logAttributes = new AttributeColumn((MapVector) root.getVector(LogsTable.LOG_ATTRIBUTES));
      severityNumber = (IntVector) root.getVector(LogsTable.SEVERITY_NUMBER);
      flags = (IntVector) root.getVector(LogsTable.FLAGS);
      scopeName = new Utf8Appender((VarCharVector) root.getVector(LogsTable.SCOPE_NAME));
      scopeVersion = new Utf8Appender((VarCharVector) root.getVector(LogsTable.SCOPE_VERSION));
      eventName = new Utf8Appender((VarCharVector) root.getVector(LogsTable.EVENT_NAME));
      droppedAttributes = (IntVector) root.getVector(LogsTable.DROPPED_ATTRIBUTES_COUNT);
      streamLabels = new Utf8Appender((VarCharVector) root.getVector(LogsTable.STREAM_LABELS));
    }
  }
}
