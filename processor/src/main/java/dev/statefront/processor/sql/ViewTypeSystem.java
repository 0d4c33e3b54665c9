package dev.statefront.processor.sql;

import dev.statefront.core.ColumnType;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.rel.type.RelDataTypeSystemImpl;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * Calcite's type rules adjusted to what the runtime computes: DECIMAL up to 38 digits, SUM of integers as
 * BIGINT and of DECIMAL(p,s) as DECIMAL(38,s), AVG of INT/BIGINT/DOUBLE as DOUBLE and of DECIMAL(p,s) as
 * DECIMAL(38,max(s,6)), and unpadded VARCHAR for CASE branches of different lengths.
 */
final class ViewTypeSystem extends RelDataTypeSystemImpl {
    static final ViewTypeSystem INSTANCE = new ViewTypeSystem();

    private ViewTypeSystem() {
    }

    @Override
    public int getMaxPrecision(SqlTypeName typeName) {
        return typeName == SqlTypeName.DECIMAL ? ColumnType.MAX_DECIMAL_PRECISION : super.getMaxPrecision(typeName);
    }

    @Override
    public int getMaxScale(SqlTypeName typeName) {
        return typeName == SqlTypeName.DECIMAL ? ColumnType.MAX_DECIMAL_PRECISION : super.getMaxScale(typeName);
    }

    @Override
    public boolean shouldConvertRaggedUnionTypesToVarying() {
        return true;
    }

    @Override
    public RelDataType deriveSumType(RelDataTypeFactory factory, RelDataType argumentType) {
        RelDataType t = switch (argumentType.getSqlTypeName()) {
            case TINYINT, SMALLINT, INTEGER, BIGINT -> factory.createSqlType(SqlTypeName.BIGINT);
            case FLOAT, REAL, DOUBLE -> factory.createSqlType(SqlTypeName.DOUBLE);
            case DECIMAL -> factory.createSqlType(SqlTypeName.DECIMAL, ColumnType.MAX_DECIMAL_PRECISION,
                    argumentType.getScale());
            default -> null;
        };
        return t == null ? super.deriveSumType(factory, argumentType)
                : factory.createTypeWithNullability(t, argumentType.isNullable());
    }

    @Override
    public RelDataType deriveAvgAggType(RelDataTypeFactory factory, RelDataType argumentType) {
        RelDataType t = switch (argumentType.getSqlTypeName()) {
            case TINYINT, SMALLINT, INTEGER, BIGINT, FLOAT, REAL, DOUBLE -> factory.createSqlType(SqlTypeName.DOUBLE);
            case DECIMAL -> factory.createSqlType(SqlTypeName.DECIMAL, ColumnType.MAX_DECIMAL_PRECISION,
                    Math.max(argumentType.getScale(), 6));
            default -> null;
        };
        return t == null ? super.deriveAvgAggType(factory, argumentType)
                : factory.createTypeWithNullability(t, argumentType.isNullable());
    }
}
