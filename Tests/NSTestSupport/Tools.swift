import Foundation
import Synchronization

/// Helpers to run real tools (promtool, redis-server) and pick free ports.
public enum Tools {
    /// Runs `executable` with `input` on stdin and returns its exit status and combined output.
    public static func run(_ executable: String, _ arguments: [String], input: Data = Data()) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stdout
        try process.run()
        stdin.fileHandleForWriting.write(input)
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    /// The absolute path of `name` on PATH (or the usual system folders).
    public static func which(_ name: String) throws -> String {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/bin:/usr/sbin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw ChildProcessError.notFound("\(name) (install it: see .ci/run)")
    }

    /// A TCP port that was free a moment ago on 127.0.0.1, below the kernel's ephemeral range and
    /// never handed out before by this test process (see `freePortBlock(offsets:)`).
    public static func freePort() throws -> Int {
        try freePortBlock(offsets: [0])
    }

    /// A fresh temporary folder.
    public static func temporaryDirectory(_ label: String = "ns-test") throws -> String {
        let path = NSTemporaryDirectory() + "\(label)-\(UUID().uuidString)"
        // Not `withIntermediateDirectories`: that would quietly reuse a folder that exists.
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        return path
    }

    /// A fresh folder only its owner (root, in CI) can enter: what a sandboxed snippet's own uid
    /// cannot reach, as a `mktemp -d` folder is.
    public static func closedDirectory(_ label: String) throws -> String {
        let path = try temporaryDirectory(label)
        guard chmod(path, 0o700) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EPERM) }
        return path
    }

    /// A runnable copy of the system shell at `path` (the link `/bin/sh` resolved): a runtime
    /// placed where only its owner can reach it.
    public static func copyShell(to path: String) throws {
        try FileManager.default.copyItem(atPath: URL(fileURLWithPath: "/bin/sh").resolvingSymlinksInPath().path, toPath: path)
        guard chmod(path, 0o755) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EPERM) }
    }
}

/// A TCP listener that never answers: connections are queued by the kernel but no byte comes
/// back, like a hung peer. Closed when released.
public final class SilentListener: Sendable {
    public let port: Int
    private let fd: Int32

    public init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard listening else {
            close(fd)
            throw ChildProcessError.notFound("a port to listen on")
        }
        self.fd = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(fd) }
}

extension Tools {
    /// Whether a TCP connection to `address`:`port` (IPv4, default 127.0.0.1) is accepted right now.
    public static func canConnect(address: String = "127.0.0.1", port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        return withLoopbackAddress(port: port, address: address) { connect(fd, $0, $1) == 0 }
    }

    /// Calls `body` with `address` (default 127.0.0.1):`port` as a socket address and its length.
    static func withLoopbackAddress<Result>(port: Int, address ipv4: String = "127.0.0.1", _ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr(ipv4)
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }
}

extension Tools {
    /// Every port `freePortBlock(offsets:)` has considered in this process.
    private static let handedOut = Mutex<Set<Int>>([])

    /// A base port `b` such that `b + offset` is free for every offset (the split deployment's
    /// port layout), tried at random below the kernel's ephemeral range.
    ///
    /// Below that range because the ports stay unbound for seconds while the nodes start one by
    /// one: a port inside it can be taken meanwhile by any outgoing connection on the machine, or
    /// by a node's own listener on port 0, and the node meant for it then fails to bind. Never
    /// handed out twice, so two ports asked for before either is bound differ, and a port a test
    /// keeps unbound (a dead peer's) stays refused.
    public static func freePortBlock(offsets: [Int]) throws -> Int {
        let span = (offsets.max() ?? 0) + 1
        let upper = min(ephemeralPortRangeStart() - span, 30_000)
        guard upper > 10_000 else { throw ChildProcessError.notFound("\(offsets.count) free ports below the ephemeral range") }
        for _ in 0..<50 {
            let base = Int.random(in: 10_000...upper)
            let ports = Set(offsets.map { base + $0 })
            let fresh = handedOut.withLock { taken in
                guard taken.isDisjoint(with: ports) else { return false }
                taken.formUnion(ports)
                return true
            }
            if fresh && ports.allSatisfy({ canBind(port: $0) }) { return base }
        }
        throw ChildProcessError.notFound("\(offsets.count) free ports")
    }

    /// The first port the kernel hands to outgoing connections (Linux's `ip_local_port_range`;
    /// its default, 32768, when that cannot be read).
    static func ephemeralPortRangeStart() -> Int {
        let range = try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)
        return range?.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } ?? 32_768
    }

    /// Whether a listener could bind 127.0.0.1:`port` right now (with `SO_REUSEADDR`, as the
    /// nodes' servers do, so a closed connection's TIME_WAIT does not count as taken).
    static func canBind(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var reuse: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        return withLoopbackAddress(port: port) { bind(fd, $0, $1) == 0 }
    }
}
