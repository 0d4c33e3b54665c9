package dev.statefront.app;

import dev.statefront.core.Column;
import dev.statefront.ingest.cdc.CdcTable;
import dev.statefront.processor.plan.Program;
import dev.statefront.processor.plan.SourceDefinition;
import java.util.ArrayList;
import java.util.List;

/** The ingest role's view of a planned program: the {@code postgres-cdc} tables to capture. */
final class CdcTables {
    private CdcTables() {
    }

    /** Every {@code CREATE TABLE ... WITH (connector = 'postgres-cdc', ...)} of the program, in statement order. */
    static List<CdcTable> of(Program program) {
        List<CdcTable> tables = new ArrayList<>();
        for (SourceDefinition s : program.sources()) {
            if (!SourceDefinition.POSTGRES_CDC.equals(s.connector())) {
                continue;
            }
            tables.add(new CdcTable(s.name(), s.options().get("url"), s.options().get("table"),
                    s.options().get("user"), s.options().get("password"), s.topic(),
                    s.columns().stream().map(Column::name).toList(), s.keyColumns()));
        }
        return tables;
    }
}
