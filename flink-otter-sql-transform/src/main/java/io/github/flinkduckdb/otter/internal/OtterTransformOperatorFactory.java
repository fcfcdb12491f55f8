package io.github.flinkduckdb.otter.internal;

import io.github.flinkduckdb.otter.OtterDeadLetter;

import org.apache.flink.annotation.Internal;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.OneInputStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.SimpleOperatorFactory;

/**
 * Builds {@link OtterTransformOperator} and chains it to its input ({@link
 * ChainingStrategy#ALWAYS}) on Flink 1.20 and 2.x alike: 2.x keeps the chaining strategy on the
 * factory only, and {@link SimpleOperatorFactory} sets the operator up in both lines.
 */
@Internal
public final class OtterTransformOperatorFactory<IN> extends SimpleOperatorFactory<OtterDeadLetter>
        implements OneInputStreamOperatorFactory<IN, OtterDeadLetter> {

    private static final long serialVersionUID = 1L;

    public OtterTransformOperatorFactory(OtterTransformOperator<IN> operator) {
        super(operator);
        setChainingStrategy(ChainingStrategy.ALWAYS);
    }
}
