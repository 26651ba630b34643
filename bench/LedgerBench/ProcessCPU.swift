import Foundation

/// CPU time (user + system) a process has used, from `/proc/<pid>/stat`: with the client, nsd and
/// the database on the same two cores, what each round cost nsd and the bench says where the
/// time of a slower round went. Nil where `/proc` cannot be read (not Linux).
enum ProcessCPU {
    static func seconds(pid: pid_t?) -> Double? {
        let path = pid.map { "/proc/\($0)/stat" } ?? "/proc/self/stat"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),  // nil: no /proc here, so no CPU figures
              let close = text.lastIndex(of: ")")
        else { return nil }
        // After the command name in parentheses: field 3 (state) first, so utime (14) and stime (15) are the 12th and 13th.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
