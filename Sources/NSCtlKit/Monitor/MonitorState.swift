import Foundation
import NSCore

/// What `nsctl monitor` remembers between runs: the last checkpoint it verified, as the signed
/// note ns-node served, so the next run proves the log still extends it. One small JSON file,
/// replaced atomically (temporary file in the same folder, fsync, rename) and only after a
/// verified checkpoint; a CRITICAL run leaves it as it was.
struct MonitorState: Sendable, Equatable {
    let checkpoint: Checkpoint
    /// The signed note exactly as served: the evidence a fork or rollback is proved against.
    let note: String
    let recordedAt: String

    /// The state file's format, so a later one can be told apart.
    static let format: Int64 = 1
    /// A state file is a few hundred bytes; anything near this is not one.
    static let maxBytes = 1 << 20

    /// Why the state file cannot be used; the monitor then says UNKNOWN with the fix.
    struct Unusable: Error, CustomStringConvertible {
        let description: String
    }

    /// The state recorded at `path`, or nil when there is none yet (the first run).
    static func read(_ path: String) throws(Unusable) -> MonitorState? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw Unusable(description: "the state file \(path) cannot be read: \(String(cString: strerror(errno))); "
                           + "give the user the monitor runs as read and write access to it and its folder")
        }
        // A handle only read from: a failed close loses nothing.
        defer { try? handle.close() }
        let bytes: [UInt8]
        do {
            bytes = Array(try handle.read(upToCount: maxBytes + 1) ?? Data())
        } catch {
            throw Unusable(description: "the state file \(path) cannot be read: \(error.localizedDescription); check the disk and the file")
        }
        guard bytes.count <= maxBytes, let state = parse(bytes) else {
            throw Unusable(description: "the state file \(path) is not a monitor state (corrupt or another file): restore it from a backup, "
                           + "or move it away and run again to record the current checkpoint afresh (trusting it unverified)")
        }
        return state
    }

    /// The state in `bytes`, nil unless every field is present and the note's body is the
    /// recorded origin, size and root.
    static func parse(_ bytes: [UInt8]) -> MonitorState? {
        // Any failure to parse makes the file unusable, which the caller reports whatever its cause.
        guard let value = try? CanonicalJSON.decode(bytes), value["format"]?.intValue == format,
              let origin = value["origin"]?.stringValue, let size = value["size"]?.intValue, size >= 0,
              let rootText = value["root"]?.stringValue, let root = Base64.decode(rootText), root.count == 32,
              let note = value["note"]?.stringValue, let recordedAt = value["recordedAt"]?.stringValue
        else { return nil }
        let checkpoint = Checkpoint(origin: origin, size: UInt64(size), root: MerkleHash(root))
        guard note.hasPrefix(checkpoint.body + "\n") else { return nil }
        return MonitorState(checkpoint: checkpoint, note: note, recordedAt: recordedAt)
    }

    var json: JSONValue {
        ["format": .int(Self.format), "origin": .string(checkpoint.origin), "size": .int(Int64(checkpoint.size)),
         "root": .string(checkpoint.root.base64), "note": .string(note), "recordedAt": .string(recordedAt)]
    }

    /// Replaces the state file atomically; a failure leaves the previous state in place.
    func write(to path: String) throws(Unusable) {
        do {
            try PrivateFile.write(String(decoding: CanonicalJSON.encode(json), as: UTF8.self) + "\n", to: path, replacing: true,
                                  keepingBackup: false)
        } catch {
            throw Unusable(description: "the state file \(path) cannot be written (\(error)); give the user the monitor runs as "
                           + "write access to its folder")
        }
    }
}
