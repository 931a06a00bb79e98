package io.icegate.server.sql;

import io.icegate.engine.sql.SqlQueryEngine;
import io.icegate.server.http.Handler;
import io.icegate.server.http.HttpExchange;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.calcite.avatica.metrics.noop.NoopMetricsSystem;
import org.apache.calcite.avatica.remote.Handler.HandlerResponse;
import org.apache.calcite.avatica.remote.LocalService;
import org.apache.calcite.avatica.remote.ProtobufHandler;
import org.apache.calcite.avatica.remote.ProtobufTranslation;
import org.apache.calcite.avatica.remote.ProtobufTranslationImpl;
import org.apache.calcite.avatica.remote.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/v1/jdbc}: Avatica's remote protocol with protobuf serialization, what
 * Avatica's own driver speaks ({@code jdbc:avatica:remote:url=http://host:3100/api/v1/jdbc;
 * serialization=protobuf}). Each request's bytes go through Avatica's {@link ProtobufHandler}
 * and {@link LocalService} to {@link LakeMeta}. Errors travel as Avatica error responses with
 * HTTP 500, as the driver expects; their server-side stack traces are left out.
 */
public final class JdbcHandler implements Handler {
  static final Logger LOG = LoggerFactory.getLogger(JdbcHandler.class);
  private static final String CONTENT_TYPE = "application/octet-stream";

  private final ProtobufTranslation translation = new ProtobufTranslationImpl();
  private final ProtobufHandler handler;

  public JdbcHandler(SqlQueryEngine engine) {
    LocalService service = new LocalService(new LakeMeta(engine), NoopMetricsSystem.getInstance());
    service.setRpcMetadata(new Service.RpcMetadataResponse("icegate"));
    this.handler = new ProtobufHandler(service, translation, NoopMetricsSystem.getInstance());
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    if (exchange.method() != HttpMethod.POST) {
      exchange.respond(HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain; charset=utf-8",
          "Avatica's remote protocol: POST protobuf requests\n"
              .getBytes(StandardCharsets.UTF_8));
      return;
    }
    HandlerResponse<byte[]> response = handler.apply(exchange.body());
    byte[] body = response.getResponse();
    if (response.getStatusCode() != 200) {
      body = withoutStackTraces(body);
    }
    exchange.respond(HttpResponseStatus.valueOf(response.getStatusCode()), CONTENT_TYPE, body);
  }

  /** An error response with its message, code and SQLSTATE but no server stack traces. */
  private byte[] withoutStackTraces(byte[] body) throws IOException {
    Service.Response parsed = translation.parseResponse(body);
    if (!(parsed instanceof Service.ErrorResponse error)) {
      return body;
    }
    return translation.serializeResponse(
        new Service.ErrorResponse(
            List.of(), error.errorMessage, error.errorCode, error.sqlState, error.severity,
            error.rpcMetadata));
  }
}
