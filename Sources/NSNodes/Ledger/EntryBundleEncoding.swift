import CompressNIO
import NIOCore

/// How an entry bundle goes out: c2sp.org/tlog-tiles asks that bundles be compressed at the
/// HTTP layer, with any coding the client asks for in `Accept-Encoding`. A bundle is a few
/// hundred canonical JSON transactions, which gzip shrinks several times over; hash tiles are
/// random bytes and are never encoded.
///
/// Only gzip is offered, and only to a client that accepts it: a client sending no
/// `Accept-Encoding` (Python's urllib, curl without `--compressed`) gets the plain bytes. The
/// answer always carries `Vary: Accept-Encoding`, so a shared cache keeps the two apart.
enum EntryBundleEncoding {
    static let gzip = "gzip"

    /// Whether `header` (an `Accept-Encoding` value, nil when absent) accepts gzip: a `gzip`
    /// (or `x-gzip`) or `*` coding whose `q` is not zero; an explicit `gzip;q=0` refuses it even
    /// when `*` allows the rest (RFC 9110, section 12.5.3).
    static func acceptsGzip(_ header: String?) -> Bool {
        guard let header else { return false }
        var named: Bool?
        var wildcard: Bool?
        for item in header.split(separator: ",") {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let coding = parts.first, !coding.isEmpty else { continue }
            let allowed = !parts.dropFirst().contains { parameter in
                guard parameter.hasPrefix("q=") else { return false }
                return (Double(parameter.dropFirst(2)) ?? 1) <= 0
            }
            switch coding {
            case "gzip", "x-gzip": named = allowed
            case "*": wildcard = allowed
            default: continue
            }
        }
        return named ?? wildcard ?? false
    }

    /// zlib's fastest level: transactions are mostly hex hashes, which no level shrinks much
    /// (a 90 KB bundle: 2.47 times at level 1 in 1.3 ms, 2.63 times at the default 6 in 3.1 ms),
    /// and each bundle is compressed on the request, on the cores that also append.
    static let level = ZlibConfiguration(compressionLevel: .fastestCompression)

    /// The bundle gzip-compressed (RFC 1952), whole: bundles are at most 256 entries of at most
    /// 64 KiB each, and usually under a hundred kilobytes. Nil when zlib fails, which with an
    /// output buffer of zlib's own bound for the input can only be a lack of memory.
    static func compressed(_ bundle: ByteBuffer) -> ByteBuffer? {
        var input = bundle
        // The plain bundle is always a correct answer (identity is acceptable to every client),
        // so a failure here costs only bandwidth; the caller sends the plain bytes instead.
        return try? input.compress(with: .gzip(configuration: level))
    }
}
