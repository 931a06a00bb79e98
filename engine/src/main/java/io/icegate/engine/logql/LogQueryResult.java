package io.icegate.engine.logql;

import io.icegate.protocol.loki.LokiStream;
import java.util.List;

/** The streams a log query returned, with what it cost. */
public record LogQueryResult(
    List<LokiStream> streams,
    long entries,
    long rowsScanned,
    long bytesScanned,
    long filesScanned,
    long execNanos) {}
