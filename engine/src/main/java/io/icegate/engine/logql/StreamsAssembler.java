package io.icegate.engine.logql;

import io.icegate.protocol.loki.LabelSetCodec;
import io.icegate.protocol.loki.LokiEntry;
import io.icegate.protocol.loki.LokiStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Groups the ordered rows of a log query into Loki streams, keeping each stream's entries in the
 * query's order. This is the API edge, where strings are finally built.
 */
final class StreamsAssembler {
  private final Map<String, List<LokiEntry>> streams = new LinkedHashMap<>();
  private long entries;

  /** Adds the rows of a batch with columns {@link LogQueryPlanner#OUTPUT}; doesn't close it. */
  void add(VectorSchemaRoot batch) {
    TimeStampVector time = (TimeStampVector) batch.getVector(0);
    VarCharVector labels = (VarCharVector) batch.getVector(1);
    VarCharVector body = (VarCharVector) batch.getVector(2);
    String previousKey = null;
    List<LokiEntry> previous = null;
    for (int i = 0; i < batch.getRowCount(); i++) {
      String key = new String(labels.get(i), StandardCharsets.UTF_8);
      List<LokiEntry> stream;
      if (key.equals(previousKey)) {
        stream = previous;
      } else {
        stream = streams.computeIfAbsent(key, k -> new ArrayList<>());
        previousKey = key;
        previous = stream;
      }
      String line = body.isNull(i) ? "" : new String(body.get(i), StandardCharsets.UTF_8);
      stream.add(new LokiEntry(time.get(i), line));
      entries++;
    }
  }

  long entries() {
    return entries;
  }

  List<LokiStream> streams() {
    List<LokiStream> result = new ArrayList<>(streams.size());
    streams.forEach((key, list) -> result.add(new LokiStream(LabelSetCodec.decode(key), list)));
    return result;
  }
}
