package io.icegate.engine.plan;

import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.schema.impl.AbstractTable;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * A table of ours as Calcite sees it: its Iceberg schema as a row type. Nanosecond timestamps
 * are BIGINT nanoseconds since the epoch, because Calcite's TIMESTAMP is millisecond-based and
 * every language we answer speaks nanoseconds (Loki) or compares them as numbers.
 */
public final class IcebergCalciteTable extends AbstractTable {
  private final String name;
  private final Schema schema;

  public IcebergCalciteTable(String name, Schema schema) {
    this.name = name;
    this.schema = schema;
  }

  public String name() {
    return name;
  }

  public Schema icebergSchema() {
    return schema;
  }

  @Override
  public RelDataType getRowType(RelDataTypeFactory factory) {
    RelDataTypeFactory.Builder builder = factory.builder();
    for (Types.NestedField field : schema.columns()) {
      RelDataType type = sqlType(factory, field.type());
      builder.add(field.name(), factory.createTypeWithNullability(type, field.isOptional()));
    }
    return builder.build();
  }

  private static RelDataType sqlType(RelDataTypeFactory factory, Type type) {
    return switch (type.typeId()) {
      case STRING -> factory.createSqlType(SqlTypeName.VARCHAR);
      case INTEGER -> factory.createSqlType(SqlTypeName.INTEGER);
      case LONG, TIMESTAMP_NANO -> factory.createSqlType(SqlTypeName.BIGINT);
      case DOUBLE -> factory.createSqlType(SqlTypeName.DOUBLE);
      case BOOLEAN -> factory.createSqlType(SqlTypeName.BOOLEAN);
      case FIXED -> factory.createSqlType(
          SqlTypeName.BINARY, ((Types.FixedType) type).length());
      case BINARY -> factory.createSqlType(SqlTypeName.VARBINARY);
      case MAP -> {
        Types.MapType map = (Types.MapType) type;
        yield factory.createMapType(
            sqlType(factory, map.keyType()),
            factory.createTypeWithNullability(
                sqlType(factory, map.valueType()), map.isValueOptional()));
      }
      case LIST -> {
        Types.ListType list = (Types.ListType) type;
        yield factory.createArrayType(
            factory.createTypeWithNullability(
                sqlType(factory, list.elementType()), list.isElementOptional()),
            -1);
      }
      case STRUCT -> {
        RelDataTypeFactory.Builder struct = factory.builder();
        for (Types.NestedField field : type.asStructType().fields()) {
          struct.add(
              field.name(),
              factory.createTypeWithNullability(
                  sqlType(factory, field.type()), field.isOptional()));
        }
        yield struct.build();
      }
      default -> throw new IllegalArgumentException("no SQL type for Iceberg type " + type);
    };
  }
}
