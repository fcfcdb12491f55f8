package io.github.flinkduckdb.otter.dlq;

import io.github.flinkduckdb.otter.OtterDeadLetter;
import io.github.flinkduckdb.otter.flink.JobCheckpointing;
import io.github.flinkduckdb.otter.project.RabbitMQSourceConfig;

import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Publishes dead letters to the DLQ queue when the checkpoint that covers them completes, in one
 * AMQP transaction per checkpoint: the same moment the source acknowledges the messages they came
 * from. Until then they sit in Flink state, so a failure neither loses them nor publishes letters
 * of messages that will be redelivered. Body unchanged; error, model and stage as headers ({@link
 * DeadLetterHeaders}); persistent delivery mode.
 *
 * <p>Letters restored from a checkpoint are published when the first checkpoint after the restore
 * completes, not when the task starts: a job that fails again before that (as it does while a
 * broker restarts) publishes nothing twice.
 *
 * <p>Limit: a checkpoint holds the letters its completion publishes, so restoring it after that
 * publish publishes them again (RabbitMQ has no idempotent publish): when the job fails after the
 * transaction committed and before the next checkpoint, and when a run resumes from the savepoint
 * of a stop. Each copy carries the same {@code message_id} ({@code <letter's message id or
 * source@offset>/<stage>/<model>}), so consumers can drop repeats.
 */
public final class RabbitMQDeadLetterPublisher extends AbstractStreamOperator<Void>
        implements OneInputStreamOperator<OtterDeadLetter, Void>, BoundedOneInput {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RabbitMQDeadLetterPublisher.class);

    private final RabbitMQSourceConfig config;

    private transient List<OtterDeadLetter> current;
    private transient List<DeadLetterJson.Pending> pending;
    private transient ListState<String> state;
    private transient long lastCheckpointId;
    private transient boolean restored;
    private transient Connection connection;
    private transient Channel channel;
    private transient Counter published;

    public RabbitMQDeadLetterPublisher(RabbitMQSourceConfig config) {
        this.config = config;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        state =
                context.getOperatorStateStore()
                        .getListState(new ListStateDescriptor<>("otter-dlq", Types.STRING));
        current = new ArrayList<>();
        pending = new ArrayList<>();
        lastCheckpointId = context.getRestoredCheckpointId().orElse(0L);
        restored = context.isRestored();
        if (context.isRestored()) {
            for (String json : state.get()) {
                pending.add(DeadLetterJson.read(json));
            }
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        published = getMetricGroup().counter("otterDeadLettersPublished");
        if (config.declareQueues()) {
            // Declared up front, so `otter dlq inspect` finds the queue before the first letter.
            try {
                channel();
            } catch (IOException e) {
                if (!restored) {
                    throw e;
                }
                // A restart, maybe while the broker restarts: the first publish declares it, and
                // fails the job if the broker is still unreachable then.
                LOG.warn(
                        "Declaring the dead-letter queue {} failed ({}); declaring it with the"
                                + " first publish",
                        config.dlq(),
                        e.getMessage());
            }
        }
        if (!pending.isEmpty()) {
            // Published when the next checkpoint completes (they keep their checkpoint ids, all
            // at most the restored one): publishing them here would publish them again on every
            // restart that comes before that checkpoint.
            LOG.info(
                    "{} dead letter(s) restored from checkpoint {} for queue {}: published when"
                            + " the next checkpoint completes",
                    pending.size(),
                    lastCheckpointId,
                    config.dlq());
        }
    }

    @Override
    public void processElement(StreamRecord<OtterDeadLetter> element) {
        current.add(element.getValue());
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        lastCheckpointId = Math.max(lastCheckpointId, checkpointId);
        assign(checkpointId);
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        List<String> json = new ArrayList<>(pending.size());
        for (DeadLetterJson.Pending p : pending) {
            json.add(DeadLetterJson.write(p));
        }
        state.update(json);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        publish(checkpointId);
    }

    @Override
    public void endInput() throws Exception {
        assign(lastCheckpointId + 1);
        if (!JobCheckpointing.enabled(getContainingTask().getEnvironment().getJobConfiguration())) {
            publish(Long.MAX_VALUE);
        }
    }

    @Override
    public void close() throws Exception {
        try {
            closeConnection();
        } finally {
            super.close();
        }
    }

    private void assign(long checkpointId) {
        for (OtterDeadLetter letter : current) {
            pending.add(new DeadLetterJson.Pending(checkpointId, letter));
        }
        current = new ArrayList<>();
    }

    private void publish(long upToCheckpoint) throws IOException {
        List<DeadLetterJson.Pending> due = new ArrayList<>();
        for (DeadLetterJson.Pending p : pending) {
            if (p.checkpointId() <= upToCheckpoint) {
                due.add(p);
            }
        }
        if (due.isEmpty()) {
            return;
        }
        try {
            Channel ch = channel();
            for (DeadLetterJson.Pending p : due) {
                OtterDeadLetter letter = p.letter();
                Map<String, Object> headers = new HashMap<>(DeadLetterHeaders.of(letter));
                AMQP.BasicProperties props =
                        new AMQP.BasicProperties.Builder()
                                .deliveryMode(2)
                                .contentType("application/json")
                                .messageId(messageId(letter))
                                .headers(headers)
                                .build();
                byte[] body = letter.getPayload() == null ? new byte[0] : letter.getPayload();
                ch.basicPublish("", config.dlq(), props, body);
            }
            ch.txCommit();
        } catch (IOException | RuntimeException e) {
            closeConnection();
            throw new IOException(
                    "Publishing "
                            + due.size()
                            + " dead letter(s) to RabbitMQ queue "
                            + config.dlq()
                            + " failed (they stay in the checkpoint and are published after the restart): "
                            + e.getMessage(),
                    e);
        }
        Iterator<DeadLetterJson.Pending> it = pending.iterator();
        while (it.hasNext()) {
            if (it.next().checkpointId() <= upToCheckpoint) {
                it.remove();
            }
        }
        published.inc(due.size());
    }

    static String messageId(OtterDeadLetter letter) {
        String origin =
                letter.getMessageId() != null
                        ? letter.getMessageId()
                        : (letter.getSource() == null ? "" : letter.getSource())
                                + (letter.getPartition() == null ? "" : "/" + letter.getPartition())
                                + "@"
                                + letter.getOffset();
        return origin
                + "/"
                + (letter.getStage() == null ? "" : letter.getStage().label())
                + (letter.getModel() == null ? "" : "/" + letter.getModel());
    }

    private Channel channel() throws IOException {
        if (channel == null || !channel.isOpen()) {
            closeConnection();
            connection = RabbitMQConnections.open(config, "otter-dlq-publisher");
            channel = connection.createChannel();
            if (config.declareQueues()) {
                RabbitMQConnections.declare(channel, config.dlq());
            }
            channel.txSelect();
        }
        return channel;
    }

    private void closeConnection() {
        try {
            if (connection != null && connection.isOpen()) {
                connection.close();
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("Closing the RabbitMQ connection failed", e);
        } finally {
            connection = null;
            channel = null;
        }
    }
}
