package io.github.flinkduckdb.otter.rabbitmq;

import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.util.Preconditions;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

import java.io.IOException;
import java.io.Serializable;
import java.util.concurrent.TimeoutException;

/**
 * Where and as whom to connect. The password is either part of the config (and so of the job graph)
 * or read from an environment variable where the connection opens ({@code passwordEnv}), so the job
 * carries only the variable's name. Never printed: {@link #toString()} masks it and errors name
 * host, port and user only.
 */
@PublicEvolving
public final class RabbitMQConnectionConfig implements Serializable {

    private static final long serialVersionUID = 1L;

    /**
     * The heartbeat the client asks for: a dead consumer's unacknowledged messages go back to the
     * queue when the broker notices it is gone, after about this long.
     */
    public static final int HEARTBEAT_SECONDS = 20;

    private final String host;
    private final int port;
    private final String virtualHost;
    private final String username;
    private final String password;
    private final String passwordEnv;

    /**
     * @param password the password, or null when {@code passwordEnv} is set
     * @param passwordEnv the environment variable holding the password, or null
     */
    public RabbitMQConnectionConfig(
            String host,
            int port,
            String virtualHost,
            String username,
            String password,
            String passwordEnv) {
        Preconditions.checkArgument(
                host != null && !host.isEmpty(), "The RabbitMQ host must be set.");
        Preconditions.checkArgument(
                port > 0 && port <= 65_535, "The RabbitMQ port must be 1..65535, got %s.", port);
        Preconditions.checkArgument(
                (password == null) != (passwordEnv == null),
                "Set either a RabbitMQ password or the environment variable that holds it, not"
                        + " both and not neither.");
        this.host = host;
        this.port = port;
        this.virtualHost = virtualHost == null ? "/" : virtualHost;
        this.username = Preconditions.checkNotNull(username, "The RabbitMQ user must be set.");
        this.password = password;
        this.passwordEnv = passwordEnv;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String virtualHost() {
        return virtualHost;
    }

    public String username() {
        return username;
    }

    /** The environment variable that holds the password, or null. */
    public String passwordEnv() {
        return passwordEnv;
    }

    /**
     * The password for a connection opened in this process: the configured one, or the value of
     * {@code passwordEnv} here.
     *
     * @throws IllegalStateException naming the variable (never a value) when it is not set
     */
    public String resolvePassword() {
        if (passwordEnv == null) {
            return password;
        }
        String value = System.getenv(passwordEnv);
        if (value == null) {
            throw new IllegalStateException(
                    "The RabbitMQ password for "
                            + address()
                            + " comes from the environment variable "
                            + passwordEnv
                            + " (password_env), which is not set in this process"
                            + " (on a cluster: the TaskManagers' environment)");
        }
        return value;
    }

    /**
     * Opens a connection without automatic recovery (the source reconnects itself: delivery tags of
     * a recovered channel would silently start again).
     */
    public Connection open(String clientName) throws IOException {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost(host);
        f.setPort(port);
        f.setVirtualHost(virtualHost);
        f.setUsername(username);
        f.setPassword(resolvePassword());
        f.setConnectionTimeout(10_000);
        f.setRequestedHeartbeat(HEARTBEAT_SECONDS);
        f.setChannelRpcTimeout(60_000);
        f.setAutomaticRecoveryEnabled(false);
        f.setTopologyRecoveryEnabled(false);
        try {
            return f.newConnection(clientName);
        } catch (IOException | TimeoutException e) {
            throw new IOException(
                    "Cannot connect to RabbitMQ at " + address() + ": " + describe(e), e);
        }
    }

    /** {@code user@host:port} and the virtual host when it is not the default. */
    public String address() {
        return username
                + "@"
                + host
                + ":"
                + port
                + ("/".equals(virtualHost) ? "" : " vhost '" + virtualHost + "'");
    }

    private static String describe(Exception e) {
        String m = e.getMessage();
        if (m == null && e.getCause() != null) {
            m = e.getCause().getMessage();
        }
        return m == null ? e.getClass().getSimpleName() : m;
    }

    @Override
    public String toString() {
        return "RabbitMQConnectionConfig{"
                + address()
                + (passwordEnv == null ? ", password=******" : ", passwordEnv=" + passwordEnv)
                + "}";
    }
}
