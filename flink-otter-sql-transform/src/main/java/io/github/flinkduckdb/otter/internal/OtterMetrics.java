package io.github.flinkduckdb.otter.internal;

import io.github.flinkduckdb.otter.OtterDeadLetter;

import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

import java.util.List;

/**
 * The transform's counters, in the group {@code otter} below the operator's metric group: the same
 * names for the operator and the process functions.
 */
@Internal
public final class OtterMetrics {

    private final List<String> modelNames;
    private final Counter messagesIn;
    private final Counter deadLetters;
    private final Counter[] deadLettersByStage;
    private final Counter batches;
    private final Counter batchedModelRuns;
    private final Counter batchSplits;
    private final Counter perMessageModelRuns;
    private final Counter[] rowsOut;
    private final Counter[] modelDeadLetters;

    /** Registers the counters in {@code operatorGroup}'s subgroup {@code otter}. */
    public OtterMetrics(MetricGroup operatorGroup, List<String> modelNames) {
        this.modelNames = modelNames;
        MetricGroup group = operatorGroup.addGroup("otter");
        messagesIn = group.counter("messagesIn");
        deadLetters = group.counter("deadLetters");
        deadLettersByStage =
                new Counter[] {
                    group.counter("deadLettersParse"),
                    group.counter("deadLettersTransform"),
                    group.counter("deadLettersConvert")
                };
        batches = group.counter("batches");
        batchedModelRuns = group.counter("batchedModelRuns");
        batchSplits = group.counter("batchSplits");
        perMessageModelRuns = group.counter("perMessageModelRuns");
        rowsOut = new Counter[modelNames.size()];
        modelDeadLetters = new Counter[modelNames.size()];
        for (int i = 0; i < modelNames.size(); i++) {
            MetricGroup model = group.addGroup("model", modelNames.get(i));
            rowsOut[i] = model.counter("rowsOut");
            modelDeadLetters[i] = model.counter("deadLetters");
        }
    }

    void messageIn() {
        messagesIn.inc();
    }

    /** One batch ran; the arguments are the engine's run counts it added. */
    void batch(long batchedRuns, long splits, long perMessageRuns) {
        batches.inc();
        batchedModelRuns.inc(batchedRuns);
        batchSplits.inc(splits);
        perMessageModelRuns.inc(perMessageRuns);
    }

    void rowsOut(int model, int rows) {
        rowsOut[model].inc(rows);
    }

    void deadLetter(OtterDeadLetter deadLetter) {
        deadLetters.inc();
        deadLettersByStage[deadLetter.getStage().ordinal()].inc();
        if (deadLetter.getModel() != null) {
            int m = modelNames.indexOf(deadLetter.getModel());
            if (m >= 0) {
                modelDeadLetters[m].inc();
            }
        }
    }
}
