package dev.statefront.processor.sql;

import dev.statefront.core.Column;
import dev.statefront.processor.plan.SourceDefinition;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.schema.impl.AbstractTable;

/** A declared source as a Calcite table, for validation and conversion only (never scanned by Calcite). */
final class SourceTable extends AbstractTable {
    private final SourceDefinition source;

    SourceTable(SourceDefinition source) {
        this.source = source;
    }

    SourceDefinition source() {
        return source;
    }

    @Override
    public RelDataType getRowType(RelDataTypeFactory factory) {
        RelDataTypeFactory.Builder builder = factory.builder();
        for (Column c : source.columns()) {
            builder.add(c.name(), CalciteTypes.toCalcite(factory, c.type()));
        }
        return builder.build();
    }
}
