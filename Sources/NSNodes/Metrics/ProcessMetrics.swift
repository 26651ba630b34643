import Foundation
import Prometheus
import Synchronization

/// The standard `process_*` metrics (as Prometheus client libraries export them), read from
/// `/proc/self` at scrape time.
///
/// CPU time is a counter: each scrape adds the time used since the previous one, so the series
/// never goes backwards even though swift-prometheus counters cannot be set.
final class ProcessMetrics: Sendable {
    private let residentMemory: Gauge
    private let virtualMemory: Gauge
    private let openFileDescriptors: Gauge
    private let maxFileDescriptors: Gauge
    private let startTime: Gauge
    private let cpuSeconds: Counter
    private let lastCPUSeconds = Mutex<Double>(0)

    init(registry: PrometheusCollectorRegistry) {
        func gauge(_ name: String) -> Gauge { registry.makeGauge(descriptor: MetricCatalogue.descriptor(name)) }
        residentMemory = gauge("process_resident_memory_bytes")
        virtualMemory = gauge("process_virtual_memory_bytes")
        openFileDescriptors = gauge("process_open_fds")
        maxFileDescriptors = gauge("process_max_fds")
        startTime = gauge("process_start_time_seconds")
        cpuSeconds = registry.makeCounter(descriptor: MetricCatalogue.descriptor("process_cpu_seconds_total"))
        if let start = Self.processStartTime() { startTime.set(start) }
    }

    /// Reads the current values; call just before emitting the registry.
    func update() {
        let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
        if let statm = Self.read("/proc/self/statm")?.split(separator: " "), statm.count >= 2,
           let virtual = Double(statm[0]), let resident = Double(statm[1]) {
            virtualMemory.set(virtual * pageSize)
            residentMemory.set(resident * pageSize)
        }
        // Without /proc the gauge keeps its last value; the other figures are still worth emitting.
        if let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            openFileDescriptors.set(Double(fds.count))
        }
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 { maxFileDescriptors.set(Double(limit.rlim_cur)) }
        if let fields = Self.statFields(), fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) {
            let total = (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
            let delta = lastCPUSeconds.withLock { last -> Double in
                defer { last = max(last, total) }
                return total - last
            }
            if delta > 0 { cpuSeconds.increment(by: delta) }
        }
    }

    /// Fields of `/proc/self/stat` after the command name (which may contain spaces), so index 0
    /// is field 3 (`state`) of proc(5).
    private static func statFields() -> [Substring]? {
        guard let stat = read("/proc/self/stat"), let close = stat.lastIndex(of: ")") else { return nil }
        return stat[stat.index(after: close)...].split(separator: " ")
    }

    private static func processStartTime() -> Double? {
        guard let fields = statFields(), fields.count > 19, let ticks = Double(fields[19]),
              let bootLine = read("/proc/stat")?.split(separator: "\n").first(where: { $0.hasPrefix("btime ") }),
              let boot = Double(bootLine.dropFirst("btime ".count))
        else { return nil }
        return boot + ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    private static func read(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
