import Foundation

/// Files nsctl generates into the repository or a deployment folder (`compose render`,
/// `generate-docs`): written atomically, or compared byte for byte with what is on disk so
/// `--check` can fail CI when someone forgot to regenerate.
enum GeneratedFiles {
    /// One generated file, by path relative to the output folder.
    struct File: Sendable {
        let path: String
        let data: Data

        init(path: String, contents: String) {
            self.path = path
            data = Data(contents.utf8)
        }

        init(path: String, data: Data) {
            self.path = path
            self.data = data
        }
    }

    /// How a file on disk compares with a fresh generation.
    enum Difference: Equatable, Sendable {
        case missing
        case differs
    }

    /// The files under `folder` that are missing or not byte-identical to `files`.
    static func differences(_ files: [File], in folder: String) -> [(path: String, difference: Difference)] {
        files.compactMap { file in
            let path = (folder as NSString).appendingPathComponent(file.path)
            guard let data = FileManager.default.contents(atPath: path) else { return (path, .missing) }
            return data == file.data ? nil : (path, .differs)
        }
    }

    /// Writes `files` under `folder`, creating folders, each file replaced atomically so a
    /// running Grafana or Prometheus never reads half of one. Returns the paths written.
    static func write(_ files: [File], to folder: String) throws -> [String] {
        var written: [String] = []
        for file in files {
            let path = (folder as NSString).appendingPathComponent(file.path)
            let parent = (path as NSString).deletingLastPathComponent
            do {
                try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
                try file.data.write(to: URL(fileURLWithPath: path), options: .atomic)
            } catch {
                throw CommandFailure("cannot write \(path): \(error.localizedDescription); check that \(folder) is writable")
            }
            written.append(path)
        }
        return written
    }

    /// `--check`: prints each stale file as `missing: PATH` or `differs: PATH` and fails with
    /// `fix` when there is any; otherwise returns quietly.
    static func check(_ files: [File], in folder: String, fix: String) throws {
        let differences = differences(files, in: folder)
        guard !differences.isEmpty else { return }
        for (path, difference) in differences {
            print("\(difference == .missing ? "missing" : "differs"): \(path)")
        }
        throw CommandFailure("\(differences.count) of \(files.count) files in \(folder) differ from a fresh generation; \(fix)")
    }
}
