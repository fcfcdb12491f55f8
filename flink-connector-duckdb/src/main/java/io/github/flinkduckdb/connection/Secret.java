package io.github.flinkduckdb.connection;

import org.apache.flink.annotation.Internal;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * A credential (the MotherDuck token) that never prints: {@link #toString()} is a fixed mask and
 * the serialized form (which ends up in Flink's job graph) holds the value only XOR-masked with a
 * random pad, so the plaintext does not appear in the job graph, logs or heap-dump string scans.
 * The masking is not encryption: whoever holds the serialized bytes can undo it. To keep a token
 * out of the job graph altogether, give the TaskManagers the {@code motherduck_token} environment
 * variable instead.
 */
@Internal
public final class Secret implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final String MASK = "******";
    private static final SecureRandom RANDOM = new SecureRandom();

    private transient String value;

    private Secret(String value) {
        this.value = value;
    }

    public static Secret of(String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("A secret must not be empty");
        }
        return new Secret(value);
    }

    /** The plaintext; pass it only to the driver, never to a log or message. */
    public String reveal() {
        return value;
    }

    /** Replaces every occurrence of this secret in {@code text} with a mask. */
    public String redact(String text) {
        return text == null ? null : text.replace(value, MASK);
    }

    @Override
    public String toString() {
        return MASK;
    }

    private void writeObject(ObjectOutputStream out) throws IOException {
        byte[] plain = value.getBytes(StandardCharsets.UTF_8);
        byte[] pad = new byte[plain.length];
        RANDOM.nextBytes(pad);
        byte[] masked = new byte[plain.length];
        for (int i = 0; i < plain.length; i++) {
            masked[i] = (byte) (plain[i] ^ pad[i]);
        }
        out.writeInt(plain.length);
        out.write(pad);
        out.write(masked);
        Arrays.fill(plain, (byte) 0);
    }

    private void readObject(ObjectInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > 1 << 20) {
            throw new IOException("Corrupt secret");
        }
        byte[] pad = new byte[length];
        byte[] masked = new byte[length];
        in.readFully(pad);
        in.readFully(masked);
        byte[] plain = new byte[length];
        for (int i = 0; i < length; i++) {
            plain[i] = (byte) (masked[i] ^ pad[i]);
        }
        value = new String(plain, StandardCharsets.UTF_8);
        Arrays.fill(plain, (byte) 0);
    }
}
