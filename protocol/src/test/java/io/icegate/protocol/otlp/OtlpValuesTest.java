package io.icegate.protocol.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import org.junit.jupiter.api.Test;

class OtlpValuesTest {
  @Test
  void scalarsAreWrittenAsPdataWritesThem() {
    assertThat(OtlpValues.asString(string("checkout"))).isEqualTo("checkout");
    assertThat(OtlpValues.asString(AnyValue.newBuilder().setBoolValue(true).build()))
        .isEqualTo("true");
    assertThat(OtlpValues.asString(AnyValue.newBuilder().setIntValue(-42).build()))
        .isEqualTo("-42");
    assertThat(OtlpValues.asString(number(1e21))).isEqualTo("1e+21");
    assertThat(OtlpValues.asString(number(0.5))).isEqualTo("0.5");
    assertThat(
            OtlpValues.asString(
                AnyValue.newBuilder()
                    .setBytesValue(ByteString.copyFrom(new byte[] {1, 2, 3, (byte) 0xff}))
                    .build()))
        .isEqualTo("AQID/w==");
    assertThat(OtlpValues.asString(AnyValue.getDefaultInstance())).isEmpty();
  }

  @Test
  void nonFiniteDoublesGetPdatasErrorText() {
    assertThat(OtlpValues.asString(number(Double.NaN))).isEqualTo("json: unsupported value: NaN");
    assertThat(OtlpValues.asString(number(Double.POSITIVE_INFINITY)))
        .isEqualTo("json: unsupported value: +Inf");
  }

  @Test
  void arraysAndMapsAreGoJsonWithSortedKeysAndHtmlEscapes() {
    AnyValue array =
        AnyValue.newBuilder()
            .setArrayValue(
                ArrayValue.newBuilder()
                    .addValues(string("a<b>&\"c\"\n"))
                    .addValues(AnyValue.newBuilder().setIntValue(2))
                    .addValues(number(1.5e-7))
                    .addValues(AnyValue.getDefaultInstance()))
            .build();
    AnyValue map =
        AnyValue.newBuilder()
            .setKvlistValue(
                KeyValueList.newBuilder()
                    .addValues(keyValue("z", string("last")))
                    .addValues(keyValue("a", AnyValue.newBuilder().setBoolValue(false).build()))
                    .addValues(keyValue("z", string("wins")))
                    .addValues(keyValue("m", array)))
            .build();

    assertThat(OtlpValues.asString(array))
        .isEqualTo("[\"a\\u003cb\\u003e\\u0026\\\"c\\\"\\n\",2,1.5e-7,null]");
    assertThat(OtlpValues.asString(map))
        .isEqualTo(
            "{\"a\":false,\"m\":[\"a\\u003cb\\u003e\\u0026\\\"c\\\"\\n\",2,1.5e-7,null],"
                + "\"z\":\"wins\"}");
  }

  @Test
  void containerWithANonFiniteDoubleIsEmptyAsGoFailsToMarshalIt() {
    AnyValue array =
        AnyValue.newBuilder()
            .setArrayValue(ArrayValue.newBuilder().addValues(number(Double.NaN)))
            .build();

    assertThat(OtlpValues.asString(array)).isEmpty();
  }

  @Test
  void doublesUseTheJavaScriptNumberFormat() {
    assertThat(OtlpValues.javaScriptNumber(1.0)).isEqualTo("1");
    assertThat(OtlpValues.javaScriptNumber(-2.5)).isEqualTo("-2.5");
    assertThat(OtlpValues.javaScriptNumber(637.704)).isEqualTo("637.704");
    assertThat(OtlpValues.javaScriptNumber(1e20)).isEqualTo("100000000000000000000");
    assertThat(OtlpValues.javaScriptNumber(1e21)).isEqualTo("1e+21");
    assertThat(OtlpValues.javaScriptNumber(1.5e300)).isEqualTo("1.5e+300");
    assertThat(OtlpValues.javaScriptNumber(0.000001)).isEqualTo("0.000001");
    assertThat(OtlpValues.javaScriptNumber(1.5e-7)).isEqualTo("1.5e-7");
    assertThat(OtlpValues.javaScriptNumber(-1e-10)).isEqualTo("-1e-10");
    assertThat(OtlpValues.javaScriptNumber(0.0)).isEqualTo("0");
    assertThat(OtlpValues.javaScriptNumber(-0.0)).isEqualTo("-0");
    assertThat(OtlpValues.javaScriptNumber(Double.NaN)).isEqualTo("NaN");
    assertThat(OtlpValues.javaScriptNumber(Double.NEGATIVE_INFINITY)).isEqualTo("-Infinity");
  }

  private static AnyValue string(String value) {
    return AnyValue.newBuilder().setStringValue(value).build();
  }

  private static AnyValue number(double value) {
    return AnyValue.newBuilder().setDoubleValue(value).build();
  }

  private static KeyValue keyValue(String key, AnyValue value) {
    return KeyValue.newBuilder().setKey(key).setValue(value).build();
  }
}
