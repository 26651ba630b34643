import Foundation
import NIOCore
import NIOPosix

/// A one-shot Redis liveness probe for `/health`: connect, `AUTH` when the URL carries
/// credentials, `PING`, expect `+PONG`.
///
/// This is only a probe; the queue's own RESP client (with pooling and pipelining) lives with the
/// queue. Error text never includes the URL, which may hold a password.
public struct RedisPing: Sendable {
    let host: String
    let port: Int
    let username: String?
    let password: String?

    public init(url: URL) {
        host = url.host ?? "localhost"
        port = url.port ?? 6379
        username = url.user.flatMap { $0.isEmpty ? nil : $0.removingPercentEncoding }
        password = url.password?.removingPercentEncoding
    }

    public func check() -> DependencyCheck {
        DependencyCheck(name: "redis") { _ in try await ping() }
    }

    func ping() async throws {
        var commands: [[String]] = []
        if let password { commands.append(username.map { ["AUTH", $0, password] } ?? ["AUTH", password]) }
        commands.append(["PING"])
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(2))
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel(wrappingChannelSynchronously: channel) }
                }
        } catch {
            throw DependencyFailure(NodeHTTPClient.describe(error))
        }
        let replies = try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: commands.map(Self.encode).joined()))
            var text = ""
            for try await chunk in inbound {
                text += String(buffer: chunk)
                if text.components(separatedBy: "\r\n").count > commands.count { break }
            }
            return text.components(separatedBy: "\r\n").prefix(commands.count)
        }
        guard replies.count == commands.count else { throw DependencyFailure("connection closed before the reply") }
        for reply in replies where reply.hasPrefix("-") {
            throw DependencyFailure(reply.contains("WRONGPASS") || reply.contains("NOAUTH") || reply.contains("invalid password")
                                    ? "authentication failed" : "error reply")
        }
        guard replies.last == "+PONG" else { throw DependencyFailure("unexpected reply to PING") }
    }

    /// A command as a RESP array of bulk strings.
    static func encode(_ arguments: [String]) -> String {
        "*\(arguments.count)\r\n" + arguments.map { "$\($0.utf8.count)\r\n\($0)\r\n" }.joined()
    }
}
