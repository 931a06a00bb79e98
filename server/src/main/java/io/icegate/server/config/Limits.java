package io.icegate.server.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;

/**
 * What one tenant may send. The {@code limits:} block sets the defaults; {@code tenant_limits:}
 * overrides any of them per tenant id. Each breach is answered with the protocol's error and a
 * message naming the key below.
 *
 * @param ingestionRateBytes sustained ingest rate, bytes of OTLP protobuf per second (token
 *     bucket refill); 0 = unlimited
 * @param ingestionBurstBytes the bucket's size: how much may arrive at once above the rate
 * @param maxRequestBytes the largest request body this tenant may send; 0 = the listener's
 *     {@code max_request_bytes}
 * @param maxAttributesPerRecord a record with more attributes of its own is rejected
 * @param maxLabelNameLength a stream label name longer than this rejects the records of its
 *     resource
 * @param maxLabelValueLength a stream label value longer than this rejects the records of its
 *     resource
 * @param maxQuerySeries the most series a LogQL metric query may return (Loki's {@code
 *     max_query_series}, default 500); more fail the query with Loki's series-limit error
 * @param maxQueryLength the longest time range a Loki range query may span (Loki's {@code
 *     max_query_length}, default 721h); zero for no limit
 * @param queryTimeout how long this tenant's Loki queries may run (Loki's per-tenant {@code
 *     query_timeout}); zero for the server's {@code query_timeout}, which is also the ceiling:
 *     snapshot expiry keeps files for that long, so no query may outlive it
 */
public record Limits(
    long ingestionRateBytes,
    long ingestionBurstBytes,
    int maxRequestBytes,
    int maxAttributesPerRecord,
    int maxLabelNameLength,
    int maxLabelValueLength,
    int maxQuerySeries,
    Duration maxQueryLength,
    Duration queryTimeout) {

  /** Loki's default {@code max_query_series}. */
  public static final int DEFAULT_MAX_QUERY_SERIES = 500;

  /** Loki's default {@code max_query_length}: 30 days and an hour. */
  public static final Duration DEFAULT_MAX_QUERY_LENGTH = Duration.ofHours(721);

  /** The limits with Loki's default {@code max_query_series}. */
  public Limits(
      long ingestionRateBytes,
      long ingestionBurstBytes,
      int maxRequestBytes,
      int maxAttributesPerRecord,
      int maxLabelNameLength,
      int maxLabelValueLength) {
    this(ingestionRateBytes, ingestionBurstBytes, maxRequestBytes, maxAttributesPerRecord,
        maxLabelNameLength, maxLabelValueLength, DEFAULT_MAX_QUERY_SERIES,
        DEFAULT_MAX_QUERY_LENGTH, Duration.ZERO);
  }

  /** Generous for one node (Loki's 4 MB/s default is per distributor replica); Loki's lengths. */
  public static final Limits DEFAULT = new Limits(64L << 20, 128L << 20, 0, 128, 1024, 2048);

  /** The YAML form: every key optional, laid over a base. */
  @JsonIgnoreProperties(ignoreUnknown = false)
  record File(
      @JsonProperty("ingestion_rate_bytes") Long ingestionRateBytes,
      @JsonProperty("ingestion_burst_bytes") Long ingestionBurstBytes,
      @JsonProperty("max_request_bytes") Integer maxRequestBytes,
      @JsonProperty("max_attributes_per_record") Integer maxAttributesPerRecord,
      @JsonProperty("max_label_name_length") Integer maxLabelNameLength,
      @JsonProperty("max_label_value_length") Integer maxLabelValueLength,
      @JsonProperty("max_query_series") Integer maxQuerySeries,
      @JsonProperty("max_query_length") String maxQueryLength,
      @JsonProperty("query_timeout") String queryTimeout) {

    Limits over(Limits base) {
      return new Limits(
          ingestionRateBytes != null ? ingestionRateBytes : base.ingestionRateBytes(),
          ingestionBurstBytes != null ? ingestionBurstBytes : base.ingestionBurstBytes(),
          maxRequestBytes != null ? maxRequestBytes : base.maxRequestBytes(),
          maxAttributesPerRecord != null ? maxAttributesPerRecord : base.maxAttributesPerRecord(),
          maxLabelNameLength != null ? maxLabelNameLength : base.maxLabelNameLength(),
          maxLabelValueLength != null ? maxLabelValueLength : base.maxLabelValueLength(),
          maxQuerySeries != null ? maxQuerySeries : base.maxQuerySeries(),
          maxQueryLength != null ? duration("max_query_length", maxQueryLength)
              : base.maxQueryLength(),
          queryTimeout != null ? duration("query_timeout", queryTimeout) : base.queryTimeout());
    }

    private static Duration duration(String key, String text) {
      try {
        return GoDuration.parse(text);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(key + ": " + e.getMessage());
      }
    }
  }

  /** Checks every value; {@code where} names the block in messages. */
  Limits validate(String where) {
    if (ingestionRateBytes < 0) {
      throw new ConfigException(where + ".ingestion_rate_bytes must not be negative");
    }
    if (ingestionRateBytes > 0 && ingestionBurstBytes <= 0) {
      throw new ConfigException(where + ".ingestion_burst_bytes must be positive");
    }
    if (maxRequestBytes < 0) {
      throw new ConfigException(where + ".max_request_bytes must not be negative");
    }
    if (maxAttributesPerRecord <= 0 || maxLabelNameLength <= 0 || maxLabelValueLength <= 0) {
      throw new ConfigException(
          where + ".max_attributes_per_record, max_label_name_length and max_label_value_length"
              + " must be positive");
    }
    if (maxQuerySeries <= 0) {
      throw new ConfigException(where + ".max_query_series must be positive");
    }
    if (maxQueryLength == null || maxQueryLength.isNegative()) {
      throw new ConfigException(where + ".max_query_length must not be negative");
    }
    if (queryTimeout == null || queryTimeout.isNegative()) {
      throw new ConfigException(where + ".query_timeout must not be negative");
    }
    return this;
  }

  public Limits withIngestionRate(long rateBytes, long burstBytes) {
    return new Limits(rateBytes, burstBytes, maxRequestBytes, maxAttributesPerRecord,
        maxLabelNameLength, maxLabelValueLength, maxQuerySeries, maxQueryLength, queryTimeout);
  }

  public Limits withMaxRequestBytes(int bytes) {
    return new Limits(ingestionRateBytes, ingestionBurstBytes, bytes, maxAttributesPerRecord,
        maxLabelNameLength, maxLabelValueLength, maxQuerySeries, maxQueryLength, queryTimeout);
  }

  public Limits withRecordLimits(int attributes, int labelName, int labelValue) {
    return new Limits(ingestionRateBytes, ingestionBurstBytes, maxRequestBytes, attributes,
        labelName, labelValue, maxQuerySeries, maxQueryLength, queryTimeout);
  }

  public Limits withMaxQuerySeries(int series) {
    return new Limits(ingestionRateBytes, ingestionBurstBytes, maxRequestBytes,
        maxAttributesPerRecord, maxLabelNameLength, maxLabelValueLength, series, maxQueryLength,
        queryTimeout);
  }

  public Limits withQueryTimeout(Duration timeout) {
    return new Limits(ingestionRateBytes, ingestionBurstBytes, maxRequestBytes,
        maxAttributesPerRecord, maxLabelNameLength, maxLabelValueLength, maxQuerySeries,
        maxQueryLength, timeout);
  }

  public Limits withMaxQueryLength(Duration length) {
    return new Limits(ingestionRateBytes, ingestionBurstBytes, maxRequestBytes,
        maxAttributesPerRecord, maxLabelNameLength, maxLabelValueLength, maxQuerySeries, length,
        queryTimeout);
  }
}
