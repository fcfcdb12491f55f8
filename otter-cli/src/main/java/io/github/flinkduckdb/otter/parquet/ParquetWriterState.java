package io.github.flinkduckdb.otter.parquet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.List;

/**
 * What a Parquet writer subtask keeps in Flink state: its staging folder, the chunks not yet rolled
 * into a file and the rolls not yet published. Stored as versioned JSON text, so it stays readable
 * across versions of this code.
 *
 * @param version format version, 1
 * @param writerDir the subtask's chunk folder, relative to the chunk root
 * @param pending chunks waiting for their file to fill or age
 * @param rolls rolls waiting for their checkpoint to complete
 */
record ParquetWriterState(
        int version, String writerDir, List<ParquetChunk> pending, List<ParquetRoll> rolls) {

    static final int VERSION = 1;
    private static final ObjectMapper MAPPER =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    ParquetWriterState {
        pending = List.copyOf(pending);
        rolls = List.copyOf(rolls);
    }

    String toJson() {
        try {
            return MAPPER.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write the Parquet writer state", e);
        }
    }

    static ParquetWriterState fromJson(String json) {
        try {
            ParquetWriterState s = MAPPER.readValue(json, ParquetWriterState.class);
            if (s.version() > VERSION) {
                throw new IllegalStateException(
                        "The Parquet writer state has format version "
                                + s.version()
                                + ", newer than this version of otter understands ("
                                + VERSION
                                + ")");
            }
            return s;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(
                    "Cannot read the Parquet writer state: " + e.getOriginalMessage(), e);
        }
    }
}
