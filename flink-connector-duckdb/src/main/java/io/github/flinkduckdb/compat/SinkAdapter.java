package io.github.flinkduckdb.compat;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

import java.io.IOException;

/**
 * The base of every Sink V2 sink of this project, the one place where the Flink lines' {@code Sink}
 * interfaces differ. This is the Flink 1.20 form: 1.20 declares {@code createWriter(InitContext)}
 * abstract (and deprecated), which Flink 2.0 removed; the runtime of both lines calls {@link
 * #createWriter(WriterInitContext)}, which subclasses implement.
 *
 * <p>The {@code flink-connector-duckdb-2.2} artifact carries a class of the same name compiled
 * against Flink 2.2 without that method, in place of this one; everything else is the same bytecode
 * on both lines.
 */
@Internal
public abstract class SinkAdapter<IN> implements Sink<IN> {

    private static final long serialVersionUID = 1L;

    /**
     * Flink 1.20's deprecated entry point; its runtime never calls it. A {@link WriterInitContext}
     * (every context Flink 1.20 creates is one) goes to {@link #createWriter(WriterInitContext)}.
     */
    @Override
    @Deprecated
    public final SinkWriter<IN> createWriter(Sink.InitContext context) throws IOException {
        if (context instanceof WriterInitContext) {
            return createWriter((WriterInitContext) context);
        }
        throw new UnsupportedOperationException(
                getClass().getSimpleName()
                        + " needs a WriterInitContext; Flink 1.20's runtime passes one to"
                        + " createWriter(WriterInitContext)");
    }

    @Override
    public abstract SinkWriter<IN> createWriter(WriterInitContext context) throws IOException;
}
