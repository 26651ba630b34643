import Foundation
import Logging
import NSCore
import NSTestSupport
import Testing

@Suite("JSON logs")
struct JSONLogHandlerTests {
    @Test("one parseable object per line with the seeds' fields")
    func lineShape() throws {
        let sink = LogSink(standardOutput: false, capture: true)
        var logger = Logger(label: "gateway-node") { JSONLogHandler(service: $0, level: .info, sink: sink) }
        logger[metadataKey: "correlationId"] = "sub_1765079700605_r75yg61sr"
        logger.info("Artifact \"submitted\"\n", metadata: ["userId": "user123", "artifactSize": .stringConvertible(1024), "durationMs": .stringConvertible(45.5)])
        logger.debug("filtered out")
        let lines = sink.capturedLines
        #expect(lines.count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(object["level"] as? String == "info")
        #expect(object["service"] as? String == "gateway-node")
        #expect(object["message"] as? String == "Artifact \"submitted\"\n")
        #expect(object["correlationId"] as? String == "sub_1765079700605_r75yg61sr")
        #expect(object["userId"] as? String == "user123")
        #expect(object["artifactSize"] as? Int == 1024)
        #expect(object["durationMs"] as? Double == 45.5)
        let timestamp = try #require(object["timestamp"] as? String)
        #expect(timestamp.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/) != nil)
        #expect(lines[0].hasPrefix("{\"timestamp\":"))
    }

    @Test("the call's metadata wins over the provider's, which wins over the logger's; each key is written once, in key order")
    func metadataPrecedence() throws {
        let sink = LogSink(standardOutput: false, capture: true)
        let provider = Logger.MetadataProvider { ["source": "provider", "fromProvider": .stringConvertible(UInt16(7))] }
        var logger = Logger(label: "vp-node") { JSONLogHandler(service: $0, level: .info, sink: sink, metadataProvider: provider) }
        logger[metadataKey: "source"] = "logger"
        logger[metadataKey: "fromLogger"] = .stringConvertible(true)
        logger[metadataKey: "shared"] = "logger"
        logger.info("first", metadata: ["shared": "call"])
        logger.info("second", metadata: ["source": "call"])
        struct Failure: Error {}
        logger.error("third", error: Failure())
        logger.error("fourth", error: Failure(), metadata: ["error": "given"])
        let lines = sink.capturedLines
        try #require(lines.count == 4)
        #expect(lines[0].hasSuffix(#","fromLogger":true,"fromProvider":7,"shared":"call","source":"provider"}"#))
        let second = try #require(try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any])
        #expect(second["source"] as? String == "call")
        #expect(second["shared"] as? String == "logger")
        #expect(lines[1].components(separatedBy: "\"source\"").count == 2)
        let third = try #require(try JSONSerialization.jsonObject(with: Data(lines[2].utf8)) as? [String: Any])
        #expect(third["error"] as? String == "Failure")
        let fourth = try #require(try JSONSerialization.jsonObject(with: Data(lines[3].utf8)) as? [String: Any])
        #expect(fourth["error"] as? String == "given")
    }

    @Test("an access-log entry written directly is the line its metadata would give", arguments: [
        AccessLogEntry(method: "POST", route: "/api/submit", status: 202, duration: .microseconds(3_456), userId: "alice \"a\"", artifactSize: 1_024),
        AccessLogEntry(method: "GET", route: "/health", status: 200, duration: .nanoseconds(1), userId: nil, artifactSize: nil),
        AccessLogEntry(method: "GET", route: "unmatched", status: 404, duration: .seconds(2), userId: "é", artifactSize: nil),
        AccessLogEntry(method: "GET", route: "/api/status/{id}", status: 401, duration: .milliseconds(1), userId: nil, artifactSize: nil,
                       authError: "the token has \"expired\""),
    ])
    func accessLine(entry: AccessLogEntry) throws {
        let direct = LogSink(standardOutput: false, capture: true)
        let general = LogSink(standardOutput: false, capture: true)
        for (sink, correlation) in [(direct, "req_1"), (general, "req_1")] {
            var logger = Logger(label: "gateway-node") { JSONLogHandler(service: $0, level: .info, sink: sink) }
            logger[metadataKey: JSONLogHandler.correlationKey] = .string(correlation)
            if sink === direct {
                #expect(try #require(logger.handler as? JSONLogHandler).logAccess(entry, level: .info))
            } else {
                logger.info("\(AccessLogEntry.message)", metadata: entry.metadata)
            }
        }
        let withoutTime = { (line: String) in line.replacing(/"timestamp":"[^"]*"/, with: "") }
        #expect(direct.capturedLines.map(withoutTime) == general.capturedLines.map(withoutTime))
        #expect(direct.capturedLines.count == 1)
    }

    @Test("the direct access line defers to the general path when the logger carries other metadata, and honours the level")
    func accessLineFallback() throws {
        let sink = LogSink(standardOutput: false, capture: true)
        let entry = AccessLogEntry(method: "GET", route: "/health", status: 200, duration: .milliseconds(1), userId: nil, artifactSize: nil)
        var handler = JSONLogHandler(service: "ns-node", level: .info, sink: sink)
        #expect(handler.logAccess(entry, level: .debug), "filtered out, nothing more to do")
        handler[metadataKey: "peer"] = "vp-node"
        #expect(!handler.logAccess(entry, level: .info))
        let provided = JSONLogHandler(service: "ns-node", level: .info, sink: sink, metadataProvider: .init { ["x": "y"] })
        #expect(!provided.logAccess(entry, level: .info))
        #expect(sink.capturedLines.isEmpty)
    }

    @Test("metadata cannot replace the top-level fields")
    func reservedFields() throws {
        let line = JSONLogHandler.render(timestamp: "t", level: .error, service: "ns-node", message: "m",
                                         metadata: ["service": "evil", "level": "debug", "nested": ["a": ["1", "2"]]])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["service"] as? String == "ns-node")
        #expect(object["level"] as? String == "error")
        #expect((object["nested"] as? [String: [String]])?["a"] == ["1", "2"])
    }

    @Test("every control character, quote and backslash is escaped; other characters pass through as UTF-8")
    func escapingEveryByte() throws {
        let controls = String(String.UnicodeScalarView((0..<0x20).compactMap(Unicode.Scalar.init) + [Unicode.Scalar(0x7F)]))
        let message = controls + "\"\\ é ✓ 🚀"
        let line = JSONLogHandler.render(timestamp: "t", level: .info, service: "s", message: message, metadata: ["k": .string(message)])
        #expect(!line.utf8.contains { $0 < 0x20 || $0 == 0x7F })
        #expect(line.contains(#"\u0001"#) && line.contains(#"\u001f"#) && line.contains(#"\u007f"#) && line.contains(#"\n"#))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["message"] as? String == message)
        #expect(object["k"] as? String == message)
    }

    @Test("control characters are escaped so a line stays one line")
    func escaping() throws {
        let line = JSONLogHandler.render(timestamp: "t", level: .info, service: "s", message: "a\u{01}b\u{7F}\r\n", metadata: [:])
        #expect(!line.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["message"] as? String == "a\u{01}b\u{7F}\r\n")
    }

    @Test("timestamps are RFC 3339 UTC with milliseconds")
    func timestampFormat() {
        #expect(LogTimestamp.format(seconds: 1_765_056_600, milliseconds: 7) == "2025-12-06T21:30:00.007Z")
    }

    @Test("the bytes a log line's timestamp is written with are the formatted timestamp", arguments: [
        (0, 0), (1_765_056_600, 7), (951_782_399, 999), (4_102_444_800, 120), (1_234_567_890, 45),
    ])
    func timestampBytes(seconds: Int, milliseconds: Int) {
        var bytes: [UInt8] = []
        LogTimestamp.append(seconds: seconds, milliseconds: milliseconds, to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == LogTimestamp.format(seconds: seconds, milliseconds: milliseconds))
    }

    @Test("LOG_FILE rotates at its size limit and keeps three files")
    func rotation() throws {
        let folder = try Tools.temporaryDirectory()
        let path = folder + "/nsd.log"
        let sink = LogSink(standardOutput: false, file: try RotatingFileWriter(path: path, maxBytes: 100, keep: 3))
        for index in 0..<10 { sink.write("line \(index) " + String(repeating: "x", count: 40)) }
        sink.flush()
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(files == ["nsd.log", "nsd.log.1", "nsd.log.2"])
        let newest = try String(contentsOfFile: path, encoding: .utf8)
        #expect(newest.hasPrefix("line 8 ") && newest.contains("line 9 "))
        let oldest = try String(contentsOfFile: path + ".2", encoding: .utf8)
        #expect(oldest.hasPrefix("line 4 "))
        for file in files {
            let size = try FileManager.default.attributesOfItem(atPath: folder + "/" + file)[.size] as? Int ?? 0
            #expect(size <= 100)
        }
    }
}
