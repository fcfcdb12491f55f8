package io.github.flinkduckdb.otter.parquet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.util.List;
import java.util.regex.Pattern;

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
    // Strict where a corrupt state would otherwise restore different numbers: no null or missing
    // field read as 0, no 1.9 read as 1, no "12" read as 12.
    private static final ObjectMapper MAPPER =
            JsonMapper.builder()
                    .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
                    .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                    .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
                    .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                    .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                    .build();

    ParquetWriterState {
        pending = List.copyOf(pending);
        rolls = List.copyOf(rolls);
    }

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]*");
    private static final Pattern RELATIVE_PATH =
            Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*");

    private static void checkPath(String value, Pattern pattern, String what) {
        if (value == null || !pattern.matcher(value).matches()) {
            throw corrupt(
                    value == null ? "no " + what : "the " + what + " is not a plain relative name");
        }
    }

    private static IllegalStateException corrupt(String why) {
        return new IllegalStateException("Cannot read the Parquet writer state: " + why);
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
            if (s.version() < 1) {
                throw corrupt("format version " + s.version());
            }
            // Names become paths under the staging folder, which restore sweeps: a corrupt
            // "../x" must not reach outside it.
            checkPath(s.writerDir(), NAME, "writer folder");
            for (ParquetChunk c : s.pending()) {
                checkPath(c.path(), RELATIVE_PATH, "chunk path");
            }
            for (ParquetRoll r : s.rolls()) {
                checkPath(r.id(), NAME, "roll id");
                for (String chunk : r.chunks()) {
                    checkPath(chunk, RELATIVE_PATH, "chunk path");
                }
            }
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
