package io.github.flinkduckdb.otter.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * An {@link OutputStream} that decodes UTF-8 bytes into a {@link Writer} (picocli's error writer,
 * for the log appender of {@code otter run}). The decoder keeps its state across writes, so a
 * character whose bytes arrive in two writes is decoded whole; malformed bytes become U+FFFD.
 */
final class WriterOutputStream extends OutputStream {

    private final Writer out;
    private final CharsetDecoder decoder =
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE);

    /** Bytes not decoded yet: at most the start of one character between writes. */
    private final ByteBuffer pending = ByteBuffer.allocate(256);

    private final CharBuffer chars = CharBuffer.allocate(256);

    WriterOutputStream(Writer out) {
        this.out = out;
    }

    @Override
    public synchronized void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            int n = Math.min(len, pending.remaining());
            pending.put(b, off, n);
            off += n;
            len -= n;
            pending.flip();
            decode(false);
            pending.compact();
        }
    }

    private void decode(boolean endOfInput) throws IOException {
        while (true) {
            CoderResult result = decoder.decode(pending, chars, endOfInput);
            drain();
            if (!result.isOverflow()) {
                return;
            }
        }
    }

    private void drain() throws IOException {
        chars.flip();
        out.write(chars.array(), chars.arrayOffset() + chars.position(), chars.remaining());
        chars.clear();
    }

    @Override
    public synchronized void flush() throws IOException {
        out.flush();
    }

    /** Decodes what is left (an incomplete character becomes U+FFFD) and flushes the writer. */
    @Override
    public synchronized void close() throws IOException {
        pending.flip();
        decode(true);
        pending.clear();
        decoder.flush(chars);
        drain();
        decoder.reset();
        out.flush();
    }
}
