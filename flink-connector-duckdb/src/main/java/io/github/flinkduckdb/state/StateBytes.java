package io.github.flinkduckdb.state;

import org.apache.flink.annotation.Internal;
import org.apache.flink.core.memory.DataInputDeserializer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strict reads of checkpointed bytes for the {@code SimpleVersionedSerializer}s of this project:
 * corrupt or truncated bytes fail with an {@link IOException} naming what was read, never restore a
 * different value. Each read accepts exactly the bytes its writer produces (a boolean is 0 or 1,
 * text is well-formed and written the shortest way, a count fits the bytes left, nothing follows
 * the last field), so whatever is read serializes back to the same bytes.
 */
@Internal
public final class StateBytes {

    private StateBytes() {}

    /** A boolean written by {@code writeBoolean}: one byte, 0 or 1. */
    public static boolean readBoolean(DataInputDeserializer in, String what) throws IOException {
        int b = in.readUnsignedByte();
        if (b > 1) {
            throw new IOException("Corrupt " + what + ": flag byte " + b + " is neither 0 nor 1");
        }
        return b == 1;
    }

    /**
     * A count of items written by {@code writeInt}, each taking at least {@code minBytesEach}
     * bytes: a negative count, or one the remaining bytes cannot hold, is corrupt (and would
     * otherwise allocate gigabytes before failing).
     */
    public static int readCount(DataInputDeserializer in, int minBytesEach, String what)
            throws IOException {
        int n = in.readInt();
        if (n < 0 || (long) n * minBytesEach > in.available()) {
            throw new IOException(
                    "Corrupt "
                            + what
                            + ": count "
                            + n
                            + " does not fit the "
                            + in.available()
                            + " bytes left");
        }
        return n;
    }

    /**
     * Text written as a length ({@code writeInt}) and its UTF-8 bytes, which must be well-formed.
     */
    public static String readUtf8(DataInputDeserializer in, String what) throws IOException {
        int n = readCount(in, 1, what + " length");
        byte[] b = new byte[n];
        in.readFully(b);
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IOException("Corrupt " + what + ": not UTF-8 text", e);
        }
    }

    /**
     * Text written by {@code writeUTF} (modified UTF-8), in its shortest form: Java's reader also
     * takes overlong encodings, which write back differently.
     */
    public static String readModifiedUtf8(DataInputDeserializer in, String what)
            throws IOException {
        int start = in.getPosition();
        String s;
        try {
            s = in.readUTF();
        } catch (java.io.UTFDataFormatException e) {
            throw new IOException("Corrupt " + what + ": " + e.getMessage(), e);
        }
        if (in.getPosition() - start != 2 + modifiedUtf8Length(s)) {
            throw new IOException("Corrupt " + what + ": text not in its shortest encoding");
        }
        return s;
    }

    private static int modifiedUtf8Length(String s) {
        int length = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            length += c >= 0x0001 && c <= 0x007F ? 1 : c <= 0x07FF ? 2 : 3;
        }
        return length;
    }

    /** Fails when bytes follow the last field: the state was not written by this format. */
    public static void expectEnd(DataInputDeserializer in, String what) throws IOException {
        if (in.available() != 0) {
            throw new IOException(
                    "Corrupt " + what + ": " + in.available() + " unexpected bytes at the end");
        }
    }
}
