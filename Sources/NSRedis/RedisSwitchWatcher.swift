import NIOCore
import NSCore

/// Follows `+switch-master` on one sentinel at a time, so a client hears of a failover as
/// Sentinel completes it instead of at its next failing call. Optional help: the client finds
/// a changed master without it (READONLY, a dropped connection), only later.
///
/// Subscribes on the first sentinel that accepts; when that connection ends, tries the next
/// after a pause that doubles up to ``maxPause``. Runs until its task is cancelled.
enum RedisSwitchWatcher {
    static let maxPause: Duration = .seconds(30)

    /// Calls `switched` with the new address each time the sentinels announce a new master for
    /// the configured name; stops when `switched` returns `false` (the client is gone).
    static func run(_ configuration: RedisConfiguration, switched: @escaping @Sendable (RedisAddress) async -> Bool) async {
        guard let sentinel = configuration.sentinel, !sentinel.sentinels.isEmpty else { return }
        var attempt = 0
        while !Task.isCancelled {
            let address = sentinel.sentinels[attempt % sentinel.sentinels.count]
            do throws(RedisError) {
                if try await follow(address, configuration, switched: switched) == false { return }
                attempt = 0  // it worked until the connection ended: start again from the first sentinel
            } catch {
                attempt += 1
            }
            let pause = min(maxPause, configuration.reconnectDelay * (1 << min(attempt, 16)))
            do {
                try await Task.sleep(for: pause)
            } catch {
                return  // cancelled: the client shut down
            }
        }
    }

    /// Subscribes on one sentinel and handles its messages until the connection ends (returns
    /// `true`) or `switched` says to stop (`false`).
    private static func follow(_ address: RedisAddress, _ configuration: RedisConfiguration,
                               switched: @Sendable (RedisAddress) async -> Bool) async throws(RedisError) -> Bool {
        let (messages, continuation) = AsyncStream.makeStream(of: RESPValue.self, bufferingPolicy: .bufferingNewest(64))
        let channel = try await RedisConnection.openChannel(to: address, timeout: configuration.connectTimeout) { channel in
            try channel.pipeline.syncOperations.addHandlers([ByteToMessageHandler(RESPDecoder()), RedisPushForwarder(continuation: continuation)])
        }
        defer { channel.close(promise: nil) }
        var buffer = channel.allocator.buffer(capacity: 128)
        for command in configuration.sentinelHandshake + [["SUBSCRIBE", "+switch-master"]] {
            RESPValue.encode(command, into: &buffer)
        }
        channel.writeAndFlush(buffer, promise: nil)
        let name = configuration.sentinel?.masterName ?? RedisSentinelSettings.defaultMasterName
        for await message in messages {
            if case .error(let text) = message { throw .server(text) }  // AUTH refused
            guard let parts = message.array, parts.count == 3, parts[0].string == "message",
                  let fields = parts[2].string?.split(separator: " "), fields.count == 5, fields[0] == name,
                  let port = Int(fields[4]) else { continue }
            if await switched(RedisAddress(host: String(fields[3]), port: port)) == false { return false }
        }
        if Task.isCancelled { return false }
        return true
    }
}

/// Hands every reply of a subscribed connection to a stream; ends the stream when the connection does.
final class RedisPushForwarder: ChannelInboundHandler, Sendable {
    typealias InboundIn = RESPValue

    let continuation: AsyncStream<RESPValue>.Continuation

    init(continuation: AsyncStream<RESPValue>.Continuation) {
        self.continuation = continuation
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        continuation.yield(unwrapInboundIn(data))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        continuation.finish()
        context.fireChannelInactive()
    }
}
