package dev.statefront.processor.sql;

import dev.statefront.core.ColumnType;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.sql.type.SqlTypeName;

/** Conversions between core {@link ColumnType}s and Calcite types. */
final class CalciteTypes {
    /** Calcite precision of declared TIMESTAMP columns: milliseconds, as stored. */
    static final int TIMESTAMP_PRECISION = 3;

    private CalciteTypes() {
    }

    /** The nullable Calcite type of a column type. */
    static RelDataType toCalcite(RelDataTypeFactory factory, ColumnType type) {
        RelDataType t = switch (type.kind()) {
            case BOOLEAN -> factory.createSqlType(SqlTypeName.BOOLEAN);
            case INT -> factory.createSqlType(SqlTypeName.INTEGER);
            case BIGINT -> factory.createSqlType(SqlTypeName.BIGINT);
            case DOUBLE -> factory.createSqlType(SqlTypeName.DOUBLE);
            case DECIMAL -> factory.createSqlType(SqlTypeName.DECIMAL, type.precision(), type.scale());
            case VARCHAR -> factory.createSqlType(SqlTypeName.VARCHAR);
            case TIMESTAMP -> factory.createSqlType(SqlTypeName.TIMESTAMP, TIMESTAMP_PRECISION);
        };
        return factory.createTypeWithNullability(t, true);
    }

    /**
     * The column type holding values of a Calcite type: CHAR and VARCHAR are VARCHAR, TINYINT/SMALLINT/INTEGER
     * are INT, FLOAT/REAL/DOUBLE are DOUBLE, any TIMESTAMP precision is TIMESTAMP (epoch milliseconds).
     *
     * @throws IllegalArgumentException naming the type if no column type can hold it
     */
    static ColumnType fromCalcite(RelDataType type) {
        SqlTypeName name = type.getSqlTypeName();
        switch (name) {
            case BOOLEAN:
                return ColumnType.BOOLEAN;
            case TINYINT:
            case SMALLINT:
            case INTEGER:
                return ColumnType.INT;
            case BIGINT:
                return ColumnType.BIGINT;
            case FLOAT:
            case REAL:
            case DOUBLE:
                return ColumnType.DOUBLE;
            case DECIMAL:
                if (type.getPrecision() > ColumnType.MAX_DECIMAL_PRECISION) {
                    throw new IllegalArgumentException("type " + type.getFullTypeString() + " is wider than DECIMAL("
                            + ColumnType.MAX_DECIMAL_PRECISION + ",s)");
                }
                return ColumnType.decimal(type.getPrecision(), type.getScale());
            case CHAR:
            case VARCHAR:
                return ColumnType.VARCHAR;
            case TIMESTAMP:
                return ColumnType.TIMESTAMP;
            default:
                throw new IllegalArgumentException("type " + type.getFullTypeString()
                        + " is not supported; supported types are BOOLEAN, INT, BIGINT, DOUBLE, DECIMAL(p,s), VARCHAR,"
                        + " TIMESTAMP");
        }
    }
}
