import Foundation
import NSCore
import NSTestSupport
import Testing

/// The sink's writer thread: what a caller can rely on once its line is handed over.
@Suite("log sink")
struct LogSinkTests {
    @Test("lines from many threads arrive whole, each thread's in its order, none lost")
    func concurrentWriters() async throws {
        let path = try Tools.temporaryDirectory() + "/nsd.log"
        let sink = LogSink(standardOutput: false, file: try RotatingFileWriter(path: path, maxBytes: 64 << 20))
        let writers = 8
        let linesEach = 5_000
        await withTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    for index in 0..<linesEach { sink.write("{\"writer\":\(writer),\"index\":\(index),\"pad\":\"\(String(repeating: "p", count: index % 97))\"}") }
                }
            }
        }
        sink.flush()
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.last == "", "the file ends with a newline")
        var next = [Int](repeating: 0, count: writers)
        for line in lines.dropLast() {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "a whole line: \(line)")
            let writer = try #require(object["writer"] as? Int)
            #expect(object["index"] as? Int == next[writer])
            next[writer] += 1
        }
        #expect(next == [Int](repeating: linesEach, count: writers))
    }

    @Test("an urgent line is in the file when write returns, with every line before it")
    func urgentLinesAreWritten() throws {
        let path = try Tools.temporaryDirectory() + "/nsd.log"
        let sink = LogSink(standardOutput: false, file: try RotatingFileWriter(path: path))
        for index in 0..<1_000 { sink.write("routine \(index)") }
        sink.write("the last words", urgent: true)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.count == 1_001)
        #expect(lines.first == "routine 0" && lines.last == "the last words")
    }

    @Test("more than the buffer's capacity written at once all arrives")
    func beyondCapacity() throws {
        let path = try Tools.temporaryDirectory() + "/nsd.log"
        let sink = LogSink(standardOutput: false, file: try RotatingFileWriter(path: path, maxBytes: 64 << 20))
        let line = String(repeating: "z", count: 1_023)
        let count = 3 * LogSink.capacity / 1_024
        for _ in 0..<count { sink.write(line) }
        sink.flush()
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int
        #expect(size == count * 1_024)
    }

    @Test("a batch of lines rotates between lines; a line longer than the limit gets a file of its own")
    func rotationInsideABatch() throws {
        let folder = try Tools.temporaryDirectory()
        let writer = try RotatingFileWriter(path: folder + "/nsd.log", maxBytes: 30, keep: 4)
        writer.write(lines: Array("aaaaaaaaa\nbbbbbbbbb\nccccccccc\n\(String(repeating: "d", count: 40))\neeeeeeeee\n".utf8))
        let read = { (name: String) in try String(contentsOfFile: folder + "/" + name, encoding: .utf8) }
        #expect(try read("nsd.log.2") == "aaaaaaaaa\nbbbbbbbbb\nccccccccc\n")
        #expect(try read("nsd.log.1") == String(repeating: "d", count: 40) + "\n")
        #expect(try read("nsd.log") == "eeeeeeeee\n")
    }
}
