package io.icegate.engine.logql;

import io.icegate.protocol.ProtocolException;
import io.icegate.protocol.loki.LokiOtlpLabels;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.complex.StructVector;

/**
 * Reads the logs columns that Loki's OTLP mapping exposes as structured metadata ({@code
 * trace_id}, {@code span_id}, {@code severity_text}, {@code severity_number}, the log attributes)
 * out of a batch, for the query paths that see them outside the pipeline node.
 */
final class MetadataColumns {
  private MetadataColumns() {}

  /** Structured metadata as Loki's OTLP mapping names it (see {@link io.icegate.engine.exec.LogPipelineOperator}). */
  static void read(FieldVector v, String name, int row, Map<String, String> out) {
    if (v.isNull(row)) {
      return;
    }
    if (v instanceof FixedSizeBinaryVector bin) {
      out.put(name, java.util.HexFormat.of().formatHex(bin.get(row)));
    } else if (v instanceof VarCharVector text) {
      out.put(name, new String(text.get(row), StandardCharsets.UTF_8));
    } else if (v instanceof BaseIntVector number) {
      out.put(name, Long.toString(number.getValueAsLong(row)));
    } else if (v instanceof MapVector map) {
      StructVector entries = (StructVector) map.getDataVector();
      VarCharVector keys = (VarCharVector) entries.getChild(MapVector.KEY_NAME);
      VarCharVector values = (VarCharVector) entries.getChild(MapVector.VALUE_NAME);
      for (int i = map.getElementStartIndex(row); i < map.getElementEndIndex(row); i++) {
        if (keys.isNull(i) || values.isNull(i)) {
          continue;
        }
        try {
          String key =
              LokiOtlpLabels.normalizeLabelName(new String(keys.get(i), StandardCharsets.UTF_8));
          out.putIfAbsent(key, new String(values.get(i), StandardCharsets.UTF_8));
        } catch (ProtocolException e) {
          // no label name can be made of this key: Loki drops it
        }
      }
    }
  }
}
