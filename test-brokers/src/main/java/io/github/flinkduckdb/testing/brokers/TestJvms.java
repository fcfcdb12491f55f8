package io.github.flinkduckdb.testing.brokers;

import java.util.List;

/** Options for the JVMs that tests start (brokers, otter runs, Flink processes, tools). */
public final class TestJvms {

    /**
     * The test JVMs' own JIT setting (surefire's argLine): the quick compiler only. A test JVM
     * lives for seconds to minutes and spends much of its CPU compiling; without the optimizing
     * compiler the otter-cli suite took 13% less time on the 2-core build machine (229 to 198 s),
     * the transform suite 8% less. Behaviour is the same; hot loops run slower, which no test
     * times.
     */
    public static final List<String> QUICK_START = List.of("-XX:TieredStopAtLevel=1");

    private TestJvms() {}
}
