package jp.inkan.ca.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU spent per operation: this JVM's (SoftHSM2 runs inside it) and the whole machine's. */
record Cpu(double jvmMillisPerOp, double machineMillisPerOp) {

    @Override
    public String toString() {
        return String.format("%.2f / %.2f", jvmMillisPerOp, machineMillisPerOp);
    }

    static Meter start() {
        return new Meter(processCpuNanos(), machineBusyNanos());
    }

    record Meter(long processStart, long machineStart) {
        /** CPU time spent since the meter started. */
        Spent spent() {
            return new Spent(processCpuNanos() - processStart, machineBusyNanos() - machineStart);
        }
    }

    /** CPU nanoseconds of this JVM and of the whole machine, summed over the measured slices. */
    record Spent(long processNanos, long machineNanos) {
        static final Spent NONE = new Spent(0, 0);

        Spent plus(Spent other) {
            return new Spent(processNanos + other.processNanos, machineNanos + other.machineNanos);
        }

        Cpu perOperation(double operations) {
            double ops = Math.max(1, operations);
            return new Cpu(processNanos / 1e6 / ops, machineNanos / 1e6 / ops);
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
            return busy * 10_000_000L; // USER_HZ = 100
        } catch (IOException e) {
            return 0;
        }
    }
}
