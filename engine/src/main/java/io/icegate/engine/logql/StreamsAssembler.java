package io.icegate.engine.logql;

import io.icegate.engine.logql.pipeline.CategorizedLabels;
import io.icegate.engine.logql.pipeline.LabelsBuilder;
import io.icegate.protocol.loki.LabelSetCodec;
import io.icegate.protocol.loki.LokiEntry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Collects the ordered rows of a log query with each entry's labels split by origin. This is the
 * API edge, where strings are finally built.
 *
 * <p>The label column holds either a pipeline node's output (origins marked in the names, see
 * {@link CategorizedLabels}) or, for a query without stages, the stored stream labels followed by
 * the structured-metadata columns, which are merged here as Loki's pipeline merges them.
 */
final class StreamsAssembler {
  private final List<String> names;
  private final List<LogQueryResult.Row> rows = new ArrayList<>();
  private final Map<String, CategorizedLabels> decoded = new HashMap<>();
  private final Map<CategorizedLabels, CategorizedLabels> interned = new HashMap<>();
  private final LabelsBuilder builder = new LabelsBuilder();

  /** @param names the plan's output columns: {@link LogQueryPlanner#OUTPUT}, then any metadata */
  StreamsAssembler(List<String> names) {
    this.names = List.copyOf(names);
  }

  /** Adds the rows of a batch; doesn't close it. */
  void add(VectorSchemaRoot batch) {
    TimeStampVector time = (TimeStampVector) batch.getVector(0);
    VarCharVector labels = (VarCharVector) batch.getVector(1);
    VarCharVector body = (VarCharVector) batch.getVector(2);
    for (int i = 0; i < batch.getRowCount(); i++) {
      String key = new String(labels.get(i), StandardCharsets.UTF_8);
      CategorizedLabels decodedKey =
          decoded.computeIfAbsent(key, k -> CategorizedLabels.fromMarked(LabelSetCodec.decode(k)));
      CategorizedLabels entryLabels = decodedKey;
      if (names.size() > 3) {
        Map<String, String> metadata = new TreeMap<>();
        for (int c = 3; c < names.size(); c++) {
          MetadataColumns.read(batch.getVector(c), names.get(c), i, metadata);
        }
        if (!metadata.isEmpty()) {
          builder.reset(new TreeMap<>(decodedKey.stream()), metadata);
          entryLabels = interned.computeIfAbsent(builder.categorized(), l -> l);
        }
      }
      String line = body.isNull(i) ? "" : new String(body.get(i), StandardCharsets.UTF_8);
      rows.add(new LogQueryResult.Row(entryLabels, new LokiEntry(time.get(i), line)));
    }
  }

  List<LogQueryResult.Row> rows() {
    return rows;
  }
}
