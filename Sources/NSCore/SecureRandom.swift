import Foundation
import Synchronization

/// Bytes from the system CSPRNG.
///
/// `UInt8.random(using:)` on `SystemRandomNumberGenerator` costs one `getrandom` system call per
/// byte; ids made on every request (request ids, job ids) would spend more time in the kernel
/// than in the rest of their work.
public enum SecureRandom {
    /// Bytes for keys, secrets and session tokens: drawn from the kernel for this call alone,
    /// eight at a time, and held nowhere else.
    public static func bytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + 7)
        while bytes.count < count {
            withUnsafeBytes(of: generator.next() as UInt64) { bytes.append(contentsOf: $0) }
        }
        return Array(bytes.prefix(count))
    }

    /// Bytes for identifiers minted on every request (request ids, job ids), which must be
    /// unpredictable and unique but guard nothing by themselves. They come from a pool that one
    /// read of `/dev/urandom` refills 4 KiB at a time; each byte is handed out once. Where
    /// `/dev/urandom` cannot be read, this falls back to ``bytes(_:)``.
    public static func identifierBytes(_ count: Int) -> [UInt8] {
        identifierPool.take(count)
    }

    private static let identifierPool = RandomPool()
}

/// A buffer of kernel randomness shared by all threads; see ``SecureRandom/identifierBytes(_:)``.
final class RandomPool: Sendable {
    static let capacity = 4096

    private struct State {
        var bytes: [UInt8] = []
        var next = 0
    }

    private let state = Mutex(State())

    func take(_ count: Int) -> [UInt8] {
        guard count <= Self.capacity / 4 else { return SecureRandom.bytes(count) }
        let taken: [UInt8]? = state.withLock { state in
            if state.next + count > state.bytes.count {
                guard let fresh = Self.readKernelRandomness(Self.capacity) else { return nil }
                state.bytes = fresh
                state.next = 0
            }
            defer { state.next += count }
            return Array(state.bytes[state.next ..< state.next + count])
        }
        return taken ?? SecureRandom.bytes(count)
    }

    /// `count` bytes from `/dev/urandom`, or nil when it cannot be opened or read in full.
    static func readKernelRandomness(_ count: Int) -> [UInt8]? {
        let fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let read = bytes.withUnsafeMutableBytes { buffer in
                Foundation.read(fd, buffer.baseAddress! + filled, count - filled)  // buffer holds count > filled bytes
            }
            if read < 0, errno == EINTR { continue }
            guard read > 0 else { return nil }
            filled += read
        }
        return bytes
    }
}
