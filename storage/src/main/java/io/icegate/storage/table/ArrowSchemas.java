package io.icegate.storage.table;

import java.util.List;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.iceberg.arrow.ArrowSchemaUtil;

/**
 * Iceberg schemas as Arrow schemas. Iceberg's converter gives a map's entries the map type
 * again, which Arrow's MapVector refuses; the Arrow spec wants a non-null struct of key and
 * value, so we build that here.
 */
public final class ArrowSchemas {
  private ArrowSchemas() {}

  public static Schema of(org.apache.iceberg.Schema schema) {
    Schema converted = ArrowSchemaUtil.convert(schema);
    return new Schema(converted.getFields().stream().map(ArrowSchemas::fix).toList());
  }

  private static Field fix(Field field) {
    List<Field> children = field.getChildren().stream().map(ArrowSchemas::fix).toList();
    if (field.getType() instanceof ArrowType.Map && children.size() == 1) {
      Field entries = children.get(0);
      List<Field> kv = entries.getChildren();
      Field key = new Field(kv.get(0).getName(), notNull(kv.get(0).getFieldType()), kv.get(0).getChildren());
      Field fixedEntries =
          new Field(
              "entries", FieldType.notNullable(ArrowType.Struct.INSTANCE), List.of(key, kv.get(1)));
      return new Field(field.getName(), field.getFieldType(), List.of(fixedEntries));
    }
    return new Field(field.getName(), field.getFieldType(), children);
  }

  private static FieldType notNull(FieldType type) {
    return new FieldType(false, type.getType(), type.getDictionary(), type.getMetadata());
  }
}
