// swift-tools-version:6.1
import PackageDescription

// Arrows point one way: Concord (executable) → Console → Agents; Agents, Gateway, Services → BusCore → CZeroMQ.
let package = Package(
    name: "Concord",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "concord", targets: ["Concord"]),
        .library(name: "BusCore", targets: ["BusCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        // The console's HTTP and WebSocket server; without swift-configuration (a trait), which it does not use.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CZeroMQ",
            path: "Sources/BusCore/CZeroMQ",
            pkgConfig: "libzmq",
            providers: [.apt(["libzmq3-dev"])]
        ),
        .target(
            name: "BusCore",
            dependencies: [
                "CZeroMQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Sources/BusCore",
            exclude: ["CZeroMQ"]
        ),
        .target(
            name: "ServiceKit",
            dependencies: ["BusCore", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Sources/Services/ServiceKit"
        ),
        .target(
            name: "Geography",
            path: "Sources/Services/Geography"
        ),
        .target(
            name: "Contracts",
            dependencies: ["BusCore", "ServiceKit", "Geography", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Sources/Services/Contracts"
        ),
        .target(
            name: "Registry",
            dependencies: ["ServiceKit", "Contracts", "Geography"],
            path: "Sources/Services/Registry"
        ),
        .target(
            name: "Logistics",
            dependencies: ["ServiceKit", "Contracts", "Geography"],
            path: "Sources/Services/Logistics"
        ),
        .target(
            name: "Intelligence",
            dependencies: ["ServiceKit", "Contracts", "Geography"],
            path: "Sources/Services/Intelligence"
        ),
        .target(
            name: "Liaison",
            dependencies: ["ServiceKit", "Contracts", "Geography"],
            path: "Sources/Services/Liaison"
        ),
        .target(
            name: "Training",
            dependencies: ["ServiceKit", "Contracts", "Geography"],
            path: "Sources/Services/Training"
        ),
        .target(
            name: "NATSProtocol",
            path: "Sources/Gateway/NATSProtocol"
        ),
        .target(
            name: "Gateway",
            dependencies: [
                "BusCore", "NATSProtocol", "Contracts",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Sources/Gateway/Core"
        ),
        .target(
            name: "CBenchReference",
            path: "Sources/Agents/CBenchReference",
            linkerSettings: [.linkedLibrary("zmq"), .linkedLibrary("pthread")]
        ),
        .target(
            name: "Agents",
            dependencies: [
                "BusCore", "NATSProtocol", "CBenchReference",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            path: "Sources/Agents",
            exclude: ["CBenchReference", "Console"]
        ),
        .target(
            name: "Console",
            dependencies: [
                "Agents", "BusCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Sources/Agents/Console"
        ),
        .executableTarget(
            name: "Concord",
            dependencies: [
                "BusCore", "ServiceKit", "Contracts", "Registry", "Logistics", "Intelligence", "Liaison", "Training", "Agents", "Gateway", "Console",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Sources/Concord"
        ),
        .target(
            name: "ConcordTestSupport",
            dependencies: ["BusCore", "ServiceKit", "Agents", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Tests/ConcordTestSupport"
        ),
        .testTarget(name: "BusCoreTests", dependencies: ["BusCore", "ConcordTestSupport"]),
        .testTarget(name: "ServiceKitTests", dependencies: ["ServiceKit", "Agents", "ConcordTestSupport"]),
        .testTarget(name: "RegistryTests", dependencies: ["Contracts", "Registry", "ConcordTestSupport"]),
        .testTarget(name: "NATSProtocolTests", dependencies: ["NATSProtocol"]),
        .testTarget(name: "GeographyTests", dependencies: ["Geography", "Contracts"]),
        .testTarget(name: "LogisticsTests", dependencies: ["Contracts", "Logistics", "ConcordTestSupport"]),
        .testTarget(name: "IntelligenceTests", dependencies: ["Contracts", "Intelligence", "ConcordTestSupport"]),
        .testTarget(name: "TrainingTests", dependencies: ["Contracts", "Training", "ConcordTestSupport"]),
        .testTarget(name: "LiaisonTests", dependencies: ["Contracts", "Liaison", "ConcordTestSupport"]),
        .testTarget(name: "FlowTests", dependencies: ["Contracts", "Logistics", "Intelligence", "Liaison", "Training", "Registry", "Agents", "Console",
                                                      "ConcordTestSupport", "Gateway", "NATSProtocol",
                                                      .product(name: "NIOCore", package: "swift-nio"),
                                                      .product(name: "NIOPosix", package: "swift-nio")]),
        .testTarget(name: "GatewayTests", dependencies: ["Gateway", "NATSProtocol", "BusCore", "Contracts", "ConcordTestSupport",
                                                         "Registry", "Logistics", "Intelligence", "Liaison", "Training",
                                                         .product(name: "NIOEmbedded", package: "swift-nio")]),
        .testTarget(name: "ContractsTests", dependencies: ["Contracts", "Registry", "Logistics", "Intelligence", "Liaison", "Training",
                                                           .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "AgentsTests", dependencies: ["Agents", "BusCore"]),
        .testTarget(name: "ReplayTests", dependencies: ["Agents", "BusCore", "ConcordTestSupport"]),
        .testTarget(name: "ConcordTests", dependencies: ["Contracts", "ConcordTestSupport", "Registry"]),
    ],
    swiftLanguageModes: [.v6]
)
