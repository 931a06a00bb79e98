package io.icegate.server.otlp.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.RetryInfo;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.icegate.server.ingest.IngestException;
import io.icegate.server.ingest.IngestException.Kind;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The gRPC status for each way a request is refused, per the OTLP specification: retryable
 * refusals carry {@code google.rpc.RetryInfo} (which OTLP clients need before they retry a
 * RESOURCE_EXHAUSTED), the others do not.
 */
class OtlpGrpcStatusTest {
  @Test
  void overloadIsResourceExhaustedWithRetryInfo() throws Exception {
    StatusRuntimeException e =
        OtlpGrpcServer.toStatus(
            new IngestException(Kind.OVERLOADED, "the server is overloaded", Duration.ofSeconds(1)));

    com.google.rpc.Status status = StatusProto.fromThrowable(e);
    assertThat(status.getCode()).isEqualTo(8);
    assertThat(status.getMessage()).isEqualTo("the server is overloaded");
    assertThat(status.getDetails(0).unpack(RetryInfo.class).getRetryDelay().getSeconds())
        .isEqualTo(1);
  }

  @Test
  void rateLimitCarriesTheBucketsWait() throws Exception {
    StatusRuntimeException e =
        OtlpGrpcServer.toStatus(
            new IngestException(Kind.RATE_LIMITED, "slow down", Duration.ofMillis(1500)));

    RetryInfo retry = StatusProto.fromThrowable(e).getDetails(0).unpack(RetryInfo.class);
    assertThat(retry.getRetryDelay().getSeconds()).isEqualTo(1);
    assertThat(retry.getRetryDelay().getNanos()).isEqualTo(500_000_000);
  }

  @Test
  void storageFailureIsUnavailableWithRetryInfo() {
    StatusRuntimeException e =
        OtlpGrpcServer.toStatus(
            new IngestException(Kind.UNAVAILABLE, "retry later", Duration.ofSeconds(1)));

    com.google.rpc.Status status = StatusProto.fromThrowable(e);
    assertThat(status.getCode()).isEqualTo(14);
    assertThat(status.getDetailsCount()).isEqualTo(1);
  }

  @Test
  void badDataAndTooLargeAreNotRetryable() {
    StatusRuntimeException bad =
        OtlpGrpcServer.toStatus(new IngestException(Kind.BAD_DATA, "bad", null));
    StatusRuntimeException large =
        OtlpGrpcServer.toStatus(new IngestException(Kind.TOO_LARGE, "large", null));

    assertThat(bad.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.INVALID_ARGUMENT);
    assertThat(large.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.RESOURCE_EXHAUSTED);
    assertThat(StatusProto.fromThrowable(large).getDetailsCount()).isZero();
    assertThat(StatusProto.fromThrowable(bad).getDetailsCount()).isZero();
  }
}
