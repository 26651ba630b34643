/// Bytes from the system CSPRNG, drawn eight at a time.
///
/// `UInt8.random(using:)` on `SystemRandomNumberGenerator` costs one `getrandom` system call per
/// byte; ids made on every request (request ids, job ids) would spend more time in the kernel
/// than in the rest of their work.
public enum SecureRandom {
    public static func bytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + 7)
        while bytes.count < count {
            withUnsafeBytes(of: generator.next() as UInt64) { bytes.append(contentsOf: $0) }
        }
        return Array(bytes.prefix(count))
    }
}
