/// `SANDBOX_ISOLATION`: which isolation the code sandbox must use.
///
/// - `auto` (the default): namespaces when the start-up probe shows they work on this host,
///   otherwise the per-job directory, with the reason on `/health`.
/// - `namespaces`: namespaces or nothing; vp-node refuses to start where they do not work, so
///   a host that loses them is noticed instead of silently running weaker.
/// - `directory`: the per-job directory even where namespaces would work (for hosts whose
///   policy forbids user namespaces outright).
public enum SandboxIsolationSetting: String, Sendable, CaseIterable {
    case auto
    case namespaces
    case directory

    /// The first uid of the range snippets run as when nsd is root, one uid per snippet running
    /// at once. The range 1879048192-2147483647 is left unallocated by systemd and Debian.
    public static let defaultUIDBase = 1_900_000_000

    /// The size of each snippet's private tmpfs, in MiB, when `SANDBOX_SCRATCH_MB` is not set.
    public static let defaultScratchMB = 16
}

extension DaemonSettings {
    /// The three sandbox settings that say where a snippet runs (as opposed to its limits).
    static func loadSandboxPlacement(source: ConfigurationSource) throws(ConfigurationError)
        -> (isolation: SandboxIsolationSetting, scratchMB: Int, uidBase: Int) {
        let isolation = try source.choice("SANDBOX_ISOLATION", default: SandboxIsolationSetting.auto.rawValue,
                                          among: SandboxIsolationSetting.allCases.map(\.rawValue))
        // choice() only returns one of the listed raw values.
        return (SandboxIsolationSetting(rawValue: isolation) ?? .auto,
                try source.integer(["SANDBOX_SCRATCH_MB"], default: SandboxIsolationSetting.defaultScratchMB, range: 1...4_096),
                try source.integer(["SANDBOX_UID_BASE"], default: SandboxIsolationSetting.defaultUIDBase, range: 1_000...4_000_000_000))
    }
}
