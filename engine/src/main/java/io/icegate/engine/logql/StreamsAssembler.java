package io.icegate.engine.logql;

import io.icegate.engine.logql.pipeline.CategorizedLabels;
import io.icegate.protocol.loki.LabelSetCodec;
import io.icegate.protocol.loki.LokiEntry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Collects the ordered rows of a log query with each entry's labels split by origin. This is the
 * API edge, where strings are finally built. The label column is the pipeline node's output,
 * origins marked in the names (see {@link CategorizedLabels}); each distinct value is decoded
 * once.
 */
final class StreamsAssembler {
  private final List<LogQueryResult.Row> rows = new ArrayList<>();
  private final Map<String, CategorizedLabels> decoded = new HashMap<>();

  /** Adds the rows of a batch with columns {@link LogQueryPlanner#OUTPUT}; doesn't close it. */
  void add(VectorSchemaRoot batch) {
    TimeStampVector time = (TimeStampVector) batch.getVector(0);
    VarCharVector labels = (VarCharVector) batch.getVector(1);
    VarCharVector body = (VarCharVector) batch.getVector(2);
    for (int i = 0; i < batch.getRowCount(); i++) {
      String key = new String(labels.get(i), StandardCharsets.UTF_8);
      CategorizedLabels entryLabels =
          decoded.computeIfAbsent(key, k -> CategorizedLabels.fromMarked(LabelSetCodec.decode(k)));
      String line = body.isNull(i) ? "" : new String(body.get(i), StandardCharsets.UTF_8);
      rows.add(new LogQueryResult.Row(entryLabels, new LokiEntry(time.get(i), line)));
    }
  }

  List<LogQueryResult.Row> rows() {
    return rows;
  }
}
