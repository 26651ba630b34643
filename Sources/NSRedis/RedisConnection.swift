import NIOCore
import NSCore
import NIOPosix
import Synchronization

/// One TCP connection speaking RESP. Replies come back in command order, so any number of
/// commands can be in flight (pipelining): each write queues a promise that the next reply fulfils.
final class RedisConnection: Sendable {
    let channel: any Channel

    private init(channel: any Channel) {
        self.channel = channel
    }

    /// Connects to `address` (the configuration's own server by default) and sends `handshake`
    /// (the configuration's AUTH and SELECT by default; a sentinel's AUTH for a sentinel).
    static func connect(_ configuration: RedisConfiguration, to address: RedisAddress? = nil,
                        handshake: [[RedisArgument]]? = nil) async throws(RedisError) -> RedisConnection {
        let channel = try await openChannel(to: address ?? configuration.fixedAddress, timeout: configuration.connectTimeout) { channel in
            try channel.pipeline.syncOperations.addHandlers([ByteToMessageHandler(RESPDecoder()), RedisReplyRouter()])
        }
        let handshake = handshake ?? configuration.handshake
        let connection = RedisConnection(channel: channel)
        do throws(RedisError) {
            // With the command deadline: a Redis that accepts the connection but does not answer
            // (paused, stopped by a signal, busy in a long script) must not hold the caller.
            for command in handshake {
                if case .error(let message) = try await connection.send([command], deadline: configuration.commandTimeout).first ?? .bulkString(nil) {
                    throw RedisError.server(message.hasPrefix("WRONGPASS") || message.contains("invalid password") ? "authentication failed" : message)
                }
            }
        } catch {
            connection.close()
            throw error
        }
        return connection
    }

    /// A TCP connection to `address` with keep-alive, its pipeline set up by `handlers`.
    static func openChannel(to address: RedisAddress, timeout: Duration,
                            handlers: @escaping @Sendable (any Channel) throws -> Void) async throws(RedisError) -> any Channel {
        do {
            return try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.nanoseconds(Int64(timeout / .nanoseconds(1))))
                .channelOption(.socketOption(.so_keepalive), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture { try handlers(channel) }
                }
                .connect(host: address.host, port: address.port)
                .get()
        } catch {
            throw .connection(NetworkFailure.describe(error))
        }
    }

    /// Writes `commands` in one flush and returns their replies in order. Past `deadline` the
    /// connection is closed (the order of later replies would be unknown) and the call throws
    /// ``RedisError/timeout``. The deadline is a timer on the connection's event loop, not a task.
    ///
    /// The writes, the flush and the timer are handed to the event loop in one task: each call
    /// from outside the loop costs a wake-up of its thread, and doing them one by one took five
    /// per command.
    func send(_ commands: [[RedisArgument]], deadline: Duration? = nil) async throws(RedisError) -> [RESPValue] {
        guard channel.isActive else { throw .connection("connection closed") }
        let eventLoop = channel.eventLoop
        let requests = commands.map { command in
            var buffer = channel.allocator.buffer(capacity: 64)
            RESPValue.encode(command, into: &buffer)
            return RedisRequest(bytes: buffer, promise: eventLoop.makePromise(of: RESPValue.self))
        }
        let timedOut = TimeoutFlag()
        eventLoop.execute { [channel] in
            for request in requests {
                // A write that lands after the connection closed never reaches the reply router, so
                // nothing else would complete its reply: fail it here (a second completion is ignored).
                channel.write(request).whenFailure { error in
                    request.promise.fail(RedisError.connection(NetworkFailure.describe(error)))
                }
            }
            channel.flush()
            guard let deadline, let last = requests.last else { return }
            let timer = eventLoop.scheduleTask(in: .nanoseconds(Int64(deadline / .nanoseconds(1)))) {
                timedOut.set()
                channel.close(promise: nil)
            }
            // Every reply completes, with a value or when the connection closes; the last one
            // completing ends the deadline, on the loop, so a task resumed late cannot let the
            // timer close a connection whose replies all arrived.
            last.promise.futureResult.whenComplete { _ in timer.cancel() }
        }
        var replies: [RESPValue] = []
        replies.reserveCapacity(requests.count)
        for request in requests {
            do {
                replies.append(try await request.promise.futureResult.get())
            } catch let error as RedisError {
                throw timedOut.isSet ? .timeout : error
            } catch {
                throw timedOut.isSet ? .timeout : .connection(NetworkFailure.describe(error))
            }
        }
        return replies
    }

    var isActive: Bool { channel.isActive }

    func close() {
        channel.close(promise: nil)
    }
}

/// A command on its way out with the promise its reply fulfils.
struct RedisRequest: Sendable {
    let bytes: ByteBuffer
    let promise: EventLoopPromise<RESPValue>
}

/// Matches replies to the commands written, in order; fails everything pending when the
/// connection breaks.
final class RedisReplyRouter: ChannelDuplexHandler {
    typealias InboundIn = RESPValue
    typealias OutboundIn = RedisRequest
    typealias OutboundOut = ByteBuffer

    private var pending = CircularBuffer<EventLoopPromise<RESPValue>>()

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        pending.append(request.promise)
        context.write(wrapOutboundOut(request.bytes), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let reply = unwrapInboundIn(data)
        guard !pending.isEmpty else {
            context.fireErrorCaught(RedisError.protocolViolation("a reply arrived with no command waiting"))
            return
        }
        pending.removeFirst().succeed(reply)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll(RedisError.connection(NetworkFailure.describe(error)))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(RedisError.connection("connection closed"))
        context.fireChannelInactive()
    }

    private func failAll(_ error: RedisError) {
        while let promise = pending.popFirst() { promise.fail(error) }
    }
}

/// Turns bytes into RESP replies, however the network splits them.
struct RESPDecoder: ByteToMessageDecoder {
    typealias InboundOut = RESPValue

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let value = try RESPValue.parse(&buffer) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(value))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try decode(context: context, buffer: &buffer)
    }
}

/// Set once a call's deadline has passed, so the failure it causes is reported as the timeout it is.
final class TimeoutFlag: Sendable {
    private let state = Mutex(false)

    var isSet: Bool { state.withLock { $0 } }

    func set() { state.withLock { $0 = true } }
}
