package io.github.flinkduckdb.otter.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The log stream of {@code otter run}: UTF-8 bytes to picocli's error writer. */
class WriterOutputStreamTest {

    @Test
    void decodesACharacterWhoseBytesArriveInTwoWrites() throws Exception {
        StringWriter err = new StringWriter();
        WriterOutputStream out = new WriterOutputStream(err);
        byte[] bytes = "prix: 5 € ok 🦦".getBytes(StandardCharsets.UTF_8);
        int euro = "prix: 5 ".getBytes(StandardCharsets.UTF_8).length;
        // Split inside the euro sign (3 bytes) and inside the otter (4 bytes).
        out.write(bytes, 0, euro + 1);
        out.write(bytes, euro + 1, bytes.length - euro - 1 - 2);
        out.write(bytes, bytes.length - 2, 2);
        out.flush();
        assertThat(err.toString()).isEqualTo("prix: 5 € ok 🦦");
    }

    @Test
    void decodesByteByByteWrites() throws Exception {
        StringWriter err = new StringWriter();
        WriterOutputStream out = new WriterOutputStream(err);
        for (byte b : "äöü €".getBytes(StandardCharsets.UTF_8)) {
            out.write(b);
        }
        assertThat(err.toString()).isEqualTo("äöü €");
    }

    @Test
    void decodesLongTextThroughAPrintStream() {
        StringWriter err = new StringWriter();
        // 15000 bytes: more than the buffers of the PrintStream and of the decoder.
        String line = "€".repeat(5000) + "\n";
        try (PrintStream ps =
                new PrintStream(new WriterOutputStream(err), true, StandardCharsets.UTF_8)) {
            ps.print(line);
        }
        assertThat(err.toString()).isEqualTo(line);
    }

    @Test
    void anIncompleteCharacterAtCloseBecomesAReplacementCharacter() throws Exception {
        StringWriter err = new StringWriter();
        WriterOutputStream out = new WriterOutputStream(err);
        out.write(new byte[] {'a', (byte) 0xE2, (byte) 0x82});
        assertThat(err.toString()).isEqualTo("a");
        out.close();
        assertThat(err.toString()).isEqualTo("a\uFFFD");
    }
}
