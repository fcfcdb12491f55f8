package io.github.flinkduckdb.compat;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

import java.io.IOException;

/**
 * The base of every Sink V2 sink of this project, Flink 2.x form: {@code Sink} has one {@code
 * createWriter}, taking a {@link WriterInitContext}. It replaces the Flink 1.20 form of the same
 * class (kept in {@code flink-connector-duckdb-common}, which also implements 1.20's deprecated
 * {@code createWriter(InitContext)}) in the {@code flink-connector-duckdb-2.2} jar.
 */
@Internal
public abstract class SinkAdapter<IN> implements Sink<IN> {

    private static final long serialVersionUID = 1L;

    @Override
    public abstract SinkWriter<IN> createWriter(WriterInitContext context) throws IOException;
}
