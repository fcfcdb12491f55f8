package io.github.flinkduckdb.benchmarks;

/** A measured case. */
public final class Result {
    public final String name;
    public final long rows;
    public final double seconds;
    public final long maxHeapMb;
    public final long rssMb;
    public final String check;
    public final long maxLiveHeapMb;
    public final long p99Millis;

    /** Rows after the first quarter of the run, and their time; 0 when not measured. */
    public final long steadyRows;

    public final double steadySeconds;

    Result(
            String name,
            long rows,
            double seconds,
            long maxHeapMb,
            long rssMb,
            String check,
            long maxLiveHeapMb,
            long p99Millis,
            long steadyRows,
            double steadySeconds) {
        this.name = name;
        this.rows = rows;
        this.seconds = seconds;
        this.maxHeapMb = maxHeapMb;
        this.rssMb = rssMb;
        this.check = check;
        this.maxLiveHeapMb = maxLiveHeapMb;
        this.p99Millis = p99Millis;
        this.steadyRows = steadyRows;
        this.steadySeconds = steadySeconds;
    }

    public double rowsPerSecond() {
        return rows / seconds;
    }

    /** Rows per second after the first quarter of the run ({@link SteadyState}), or NaN. */
    public double steadyRowsPerSecond() {
        return steadyRows > 0 && steadySeconds > 0 ? steadyRows / steadySeconds : Double.NaN;
    }
}
