package jp.inkan.ca.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import jp.inkan.testing.ProcCpu;

/**
 * CPU spent per operation: this JVM's (SoftHSM2 runs inside it), PostgreSQL's and the whole
 * machine's. The machine's busy time beyond the two is the Kafka broker, the kernel and whatever
 * else runs on the host.
 */
record Cpu(double jvmMillisPerOp, double postgresMillisPerOp, double machineMillisPerOp) {

    @Override
    public String toString() {
        return String.format("%.2f / %.2f / %.2f", jvmMillisPerOp, postgresMillisPerOp, machineMillisPerOp);
    }

    static Meter start() {
        return new Meter(processCpuNanos(), postgresCpuNanos(), machineBusyNanos());
    }

    record Meter(long processStart, long postgresStart, long machineStart) {
        /** CPU time spent since the meter started. */
        Spent spent() {
            return new Spent(processCpuNanos() - processStart, postgresCpuNanos() - postgresStart,
                    machineBusyNanos() - machineStart);
        }
    }

    /** CPU nanoseconds of this JVM, of PostgreSQL and of the whole machine, summed over the measured slices. */
    record Spent(long processNanos, long postgresNanos, long machineNanos) {
        static final Spent NONE = new Spent(0, 0, 0);

        Spent plus(Spent other) {
            return new Spent(processNanos + other.processNanos, postgresNanos + other.postgresNanos,
                    machineNanos + other.machineNanos);
        }

        Cpu perOperation(double operations) {
            double ops = Math.max(1, operations);
            return new Cpu(processNanos / 1e6 / ops, postgresNanos / 1e6 / ops, machineNanos / 1e6 / ops);
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** Busy time of all CPUs from /proc/stat (user+nice+system+irq+softirq+steal), in nanoseconds. */
    private static long machineBusyNanos() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6])
                    + Long.parseLong(f[7]) + Long.parseLong(f[8]);
            return busy * TICK_NANOS;
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * CPU time of every PostgreSQL process on the machine (the local cluster is the only one), with
     * children already reaped, so a backend or autovacuum worker that exits mid-slice still counts
     * (the postmaster inherits its time).
     */
    private static long postgresCpuNanos() {
        try {
            return ProcCpu.ticks(Path.of("/proc"), command -> command.startsWith("postgres"), true) * TICK_NANOS;
        } catch (IOException e) {
            return 0;
        }
    }

    private static final long TICK_NANOS = ProcCpu.TICK_MILLIS * 1_000_000L;
}
