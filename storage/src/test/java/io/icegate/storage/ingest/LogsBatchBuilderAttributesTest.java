package io.icegate.storage.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.icegate.storage.table.LogsTable;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.complex.StructVector;
import org.junit.jupiter.api.Test;

/**
 * The logs batch writes record attributes without building a sorted map per record; what lands
 * in the {@code log_attributes} column must still be what the seed's flattening gives: entries
 * sorted by key, the last of repeated keys kept, nested lists as dotted keys, non-string scalars
 * as their text, unset values dropped. Expected entries are written out by hand.
 */
class LogsBatchBuilderAttributesTest {

  @Test
  void recordAttributesAreSortedByKeyAndTheLastRepeatedKeyWins() {
    Map<String, String> stored =
        logAttributes(
            kv("zeta", str("z")),
            kv("alpha", str("first")),
            kv("count", AnyValue.newBuilder().setIntValue(42).build()),
            kv("alpha", str("second")),
            kv("ok", AnyValue.newBuilder().setBoolValue(true).build()),
            kv("ratio", AnyValue.newBuilder().setDoubleValue(0.5).build()),
            kv("raw", AnyValue.newBuilder().setBytesValue(ByteString.copyFromUtf8("hi")).build()),
            kv("tags", AnyValue.newBuilder()
                .setArrayValue(ArrayValue.newBuilder().addValues(str("a")).addValues(str("b")))
                .build()),
            kv("ünïcode", str("välue")));
    assertThat(new ArrayList<>(stored.entrySet()).toString())
        .isEqualTo(
            "[alpha=second, count=42, ok=true, ratio=0.5, raw=aGk=, tags=[\"a\",\"b\"], zeta=z,"
                + " ünïcode=välue]");
  }

  @Test
  void nestedListsBecomeDottedKeysAndUnsetValuesAreDropped() {
    Map<String, String> stored =
        logAttributes(
            kv("http", AnyValue.newBuilder()
                .setKvlistValue(KeyValueList.newBuilder()
                    .addValues(kv("status", AnyValue.newBuilder().setIntValue(200).build()))
                    .addValues(kv("method", str("GET"))))
                .build()),
            kv("empty", AnyValue.getDefaultInstance()),
            kv("a", str("1")));
    assertThat(new ArrayList<>(stored.entrySet()).toString())
        .isEqualTo("[a=1, http.method=GET, http.status=200]");
  }

  @Test
  void manyAttributesAreSortedToo() {
    List<KeyValue> attributes = new ArrayList<>();
    for (int i = 20; i >= 1; i--) {
      attributes.add(kv(String.format("k%02d", i), str("v" + i)));
    }
    Map<String, String> stored = logAttributes(attributes.toArray(KeyValue[]::new));
    assertThat(stored.keySet()).hasSize(20).first().isEqualTo("k01");
    assertThat(new ArrayList<>(stored.keySet()).get(19)).isEqualTo("k20");
  }

  private static Map<String, String> logAttributes(KeyValue... attributes) {
    LogRecord.Builder record = LogRecord.newBuilder().setTimeUnixNano(1).setBody(str("line"));
    for (KeyValue kv : attributes) {
      record.addAttributes(kv);
    }
    ExportLogsServiceRequest request =
        ExportLogsServiceRequest.newBuilder()
            .addResourceLogs(ResourceLogs.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(kv("service.name", str("s"))))
                .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(record)))
            .build();
    try (RootAllocator allocator = new RootAllocator()) {
      var built = LogsBatchBuilder.build(request, "t", 5, allocator);
      try (var batch = built.batch()) {
        assertThat(batch.getRowCount()).isEqualTo(1);
        assertThat(((VarCharVector) batch.getVector(LogsTable.BODY)).getObject(0).toString())
            .isEqualTo("line");
        MapVector map = (MapVector) batch.getVector(LogsTable.LOG_ATTRIBUTES);
        StructVector entries = (StructVector) map.getDataVector();
        VarCharVector keys = (VarCharVector) entries.getChildByOrdinal(0);
        VarCharVector values = (VarCharVector) entries.getChildByOrdinal(1);
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = map.getElementStartIndex(0); i < map.getElementEndIndex(0); i++) {
          out.put(keys.getObject(i).toString(), values.getObject(i).toString());
        }
        return out;
      }
    }
  }

  private static KeyValue kv(String key, AnyValue value) {
    return KeyValue.newBuilder().setKey(key).setValue(value).build();
  }

  private static AnyValue str(String s) {
    return AnyValue.newBuilder().setStringValue(s).build();
  }
}
