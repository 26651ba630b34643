import Foundation

/// A real tmpfs mounted by a test, to give a store a disk that can be filled (a full disk, a
/// failing snapshot). Mounting needs root, as CI runs; elsewhere `init` throws saying so.
public struct Tmpfs: Sendable {
    public let path: String

    public struct MountFailed: Error, CustomStringConvertible {
        public let description: String
    }

    /// Mounts a tmpfs of `size` (`1m`, `48m`) at `path`, creating the folder.
    public init(at path: String, size: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let mounted = try Tools.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size),mode=0700", "tmpfs", path])
        guard mounted.status == 0 else { throw MountFailed(description: "mounting a tmpfs needs root (CI runs as root): \(mounted.output)") }
        self.path = path
    }

    /// Writes a file until the tmpfs is full; remove ``fillerPath`` to make room again.
    public func fill() throws {
        guard FileManager.default.createFile(atPath: fillerPath, contents: nil), let handle = FileHandle(forWritingAtPath: fillerPath) else {
            throw MountFailed(description: "cannot create \(fillerPath)")
        }
        let chunk = Data(count: 1 << 20)
        while (try? handle.write(contentsOf: chunk)) != nil {}  // the write that fails is the one the disk had no room for
        try handle.close()
    }

    public var fillerPath: String { path + "/filler" }

    /// Lazy unmount: whatever still holds a file there lets go when it closes it.
    public func unmount() {
        _ = try? Tools.run("/bin/umount", ["-l", path])  // best effort: the folder is temporary either way
    }
}
