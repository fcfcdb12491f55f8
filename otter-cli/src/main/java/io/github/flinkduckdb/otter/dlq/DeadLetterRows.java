package io.github.flinkduckdb.otter.dlq;

import io.github.flinkduckdb.otter.OtterDeadLetter;
import io.github.flinkduckdb.schema.ColumnSchema;
import io.github.flinkduckdb.schema.DuckDBType;

import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.types.Row;

import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Dead letters of a file source as rows of Parquet files ({@code <dlq_path>/dead_letters/}): the
 * body as text exactly as read, error, model, stage, source file and time.
 */
public final class DeadLetterRows implements MapFunction<OtterDeadLetter, Row> {

    private static final long serialVersionUID = 1L;

    /** The folder (model name) the dead-letter files go to under the DLQ path. */
    public static final String NAME = "dead_letters";

    public static final List<ColumnSchema> COLUMNS =
            List.of(
                    ColumnSchema.of("failed_at", DuckDBType.of(DuckDBType.Id.TIMESTAMP)),
                    ColumnSchema.of("stage", DuckDBType.of(DuckDBType.Id.VARCHAR)),
                    ColumnSchema.of("model", DuckDBType.of(DuckDBType.Id.VARCHAR)),
                    ColumnSchema.of("error", DuckDBType.of(DuckDBType.Id.VARCHAR)),
                    ColumnSchema.of("source", DuckDBType.of(DuckDBType.Id.VARCHAR)),
                    ColumnSchema.of("message_number", DuckDBType.of(DuckDBType.Id.BIGINT)),
                    ColumnSchema.of("body", DuckDBType.of(DuckDBType.Id.VARCHAR)));

    public static TypeInformation<Row> type() {
        return Types.ROW_NAMED(
                COLUMNS.stream().map(ColumnSchema::name).toArray(String[]::new),
                Types.LOCAL_DATE_TIME,
                Types.STRING,
                Types.STRING,
                Types.STRING,
                Types.STRING,
                Types.LONG,
                Types.STRING);
    }

    @Override
    public Row map(OtterDeadLetter letter) {
        Row r = Row.withNames();
        r.setField("failed_at", LocalDateTime.now(ZoneOffset.UTC));
        r.setField("stage", letter.getStage() == null ? null : letter.getStage().label());
        r.setField("model", letter.getModel());
        r.setField("error", letter.getError());
        r.setField("source", letter.getSource());
        r.setField("message_number", letter.getMessageNumber());
        r.setField(
                "body",
                letter.getPayload() == null
                        ? null
                        : new String(letter.getPayload(), StandardCharsets.UTF_8));
        return r;
    }
}
