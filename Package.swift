// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "NeuroSwarm",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "nsd", targets: ["nsd"]),
        .executable(name: "nsctl", targets: ["nsctl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.1.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
    ],
    targets: [
        .target(
            name: "NSCore",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ]
        ),
        .target(
            name: "NSSQLite",
            dependencies: [
                "NSCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        .target(
            name: "NSLedger",
            dependencies: [
                "NSCore",
                "NSSQLite",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        .target(
            name: "NSRedis",
            dependencies: [
                "NSCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "NSPostgres",
            dependencies: [
                "NSCore",
                "NSLedger",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "NSQueue",
            dependencies: [
                "NSCore",
                "NSSQLite",
                "NSRedis",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        .target(
            name: "NSNodeClient",
            dependencies: [
                "NSCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .target(
            name: "NSNodes",
            dependencies: [
                "NSCore",
                "NSLedger",
                "NSPostgres",
                "NSQueue",
                "NSRedis",
                "NSSQLite",
                "NSNodeClient",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdHTTP2", package: "hummingbird"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            // Built into the binary (PackageResources.openapi_json): nsd runs without resource files.
            resources: [.embedInCode("Gateway/openapi.json")]
        ),
        .target(
            name: "NSCtlKit",
            dependencies: [
                "NSCore",
                "NSLedger",
                "NSPostgres",
                "NSRedis",
                "NSSQLite",
                "NSNodeClient",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(
            name: "NSDaemon",
            dependencies: [
                "NSCore",
                "NSNodes",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(name: "nsd", dependencies: ["NSDaemon"]),
        .executableTarget(name: "nsctl", dependencies: ["NSCtlKit"]),
        .executableTarget(
            name: "queue-probe",
            dependencies: ["NSCore", "NSNodes", "NSQueue", "NSRedis", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Tests/QueueProbe"
        ),
        .executableTarget(
            name: "queue-bench",
            dependencies: ["NSCore", "NSNodes", "NSQueue", "NSRedis", "NSTestSupport", .product(name: "GRDB", package: "GRDB.swift")],
            path: "bench/QueueBench"
        ),
        .executableTarget(
            name: "ledger-bench",
            dependencies: [
                "NSCore", "NSLedger", "NSNodes", "NSPostgres", "NSTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "bench/LedgerBench"
        ),
        .executableTarget(
            name: "fault-inject",
            dependencies: ["NSCore", "NSTestSupport", .product(name: "AsyncHTTPClient", package: "async-http-client")],
            path: "bench/FaultInjection"
        ),
        .executableTarget(
            name: "fuzz-parsers",
            dependencies: ["NSCore", "NSLedger", "NSRedis", .product(name: "NIOCore", package: "swift-nio")],
            path: "Fuzz/Parsers"
        ),
        .target(name: "NSTestSupport", path: "Tests/NSTestSupport"),
        .testTarget(name: "NSCoreTests", dependencies: ["NSCore", "NSTestSupport"]),
        .testTarget(
            name: "NSQueueTests",
            dependencies: [
                "NSQueue", "NSRedis", "NSCore", "NSTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "NSRedisTests", dependencies: ["NSRedis", "NSTestSupport"]),
        .testTarget(name: "NSSQLiteTests", dependencies: ["NSSQLite", "NSTestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(
            name: "NSPostgresTests",
            dependencies: [
                "NSPostgres", "NSLedger", "NSCore", "NSTestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "NSLedgerTests",
            dependencies: [
                "NSLedger", "NSPostgres", "NSTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "NSCtlKitTests",
            dependencies: [
                "NSCtlKit", "NSCore", "NSSQLite", "NSTestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "NSDaemonTests",
            dependencies: ["NSDaemon", "NSCore", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(
            name: "NSNodeClientTests",
            dependencies: [
                "NSNodeClient", "NSCore", "NSTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "NSNodesTests",
            dependencies: [
                "NSNodes",
                "NSNodeClient",
                "NSQueue",
                "NSRedis",
                "NSPostgres",
                "NSSQLite",
                "NSTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "NSCore",
                "NSLedger",
                "NSPostgres",
                "NSQueue",
                "NSRedis",
                "NSTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            exclude: ["Scripts"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
