// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "tracetail",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "tracetail", targets: ["tracetail"]),
        .executable(name: "tracetail-gen", targets: ["tracetail-gen"]),
        .executable(name: "tracetail-bench", targets: ["tracetail-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.34.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0", traits: [.defaults, "YAML"]),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        // The system zlib (libz), used directly for block compression and .gz rotated copies.
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        // libdeflate: the same raw deflate streams as zlib, made and read two to three times
        // faster and a tenth smaller; blocks go through it (zlib keeps the .gz copies).
        .systemLibrary(name: "CLibDeflate", providers: [.apt(["libdeflate-dev"])]),
        // Pure values and logic: ids, records, parsers, grouping, block codec, tail decisions.
        .target(
            name: "TraceTailCore",
            dependencies: ["CZlib", "CLibDeflate"],
            swiftSettings: swiftSettings
        ),
        // SQLite through GRDB: schema, writer, reader, pruner. The only target that speaks SQL.
        .target(
            name: "TraceTailStore",
            dependencies: [
                "TraceTailCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // PostgreSQL through postgres-nio: the fleet's central store (a second LogStore) and the
        // shipper that copies a host's SQLite blocks into it exactly once.
        .target(
            name: "TraceTailPostgres",
            dependencies: [
                "TraceTailCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Watching a PM2 log directory and following its files; a Service.
        .target(
            name: "TraceTailTailer",
            dependencies: [
                "TraceTailCore",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        // Queries, whoever asks: requests and their validation, the trace summary, following a
        // trace, and the answers' JSON and text. Sees storage through LogStore only.
        .target(
            name: "TraceTailQuery",
            dependencies: ["TraceTailCore"],
            swiftSettings: swiftSettings
        ),
        // Routes, connection handling, error-to-status mapping.
        .target(
            name: "TraceTailHTTP",
            dependencies: [
                "TraceTailCore",
                "TraceTailQuery",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Reading the application's own database (PostgreSQL, read-only): Workflow and AgentTask
        // rows for correlation. Bind parameters only, under a statement timeout.
        .target(
            name: "TraceTailAppDatabase",
            dependencies: [
                "TraceTailCore",
                "TraceTailQuery",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The executable: commands, configuration, bootstrap, the ServiceGroup.
        .executableTarget(
            name: "tracetail",
            dependencies: [
                "TraceTailCore",
                "TraceTailStore",
                "TraceTailTailer",
                "TraceTailQuery",
                "TraceTailHTTP",
                "TraceTailAppDatabase",
                "TraceTailPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: swiftSettings
        ),
        // Realistic PM2 log directories of any size: for samples, tests and benchmarks.
        .target(
            name: "TraceTailSamples",
            dependencies: ["TraceTailCore"],
            swiftSettings: swiftSettings
        ),
        // Writes realistic PM2 log directories of any size, and appends to them live.
        .executableTarget(
            name: "tracetail-gen",
            dependencies: [
                "TraceTailCore",
                "TraceTailSamples",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // Measures ingest, size, lookup, freshness, memory and prune against gzip and ripgrep.
        .executableTarget(
            name: "tracetail-bench",
            dependencies: [
                "TraceTailCore",
                "TraceTailQuery",
                "TraceTailStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "TraceTailCoreTests", dependencies: ["TraceTailCore", "CZlib"], swiftSettings: swiftSettings),
        .testTarget(
            name: "TraceTailSamplesTests",
            dependencies: ["TraceTailCore", "TraceTailSamples"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TraceTailStoreTests",
            dependencies: ["TraceTailCore", "TraceTailStore", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TraceTailTailerTests",
            dependencies: [
                "TraceTailCore", "TraceTailStore", "TraceTailTailer",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "TraceTailCore",
                "TraceTailStore",
                "TraceTailTailer",
                "TraceTailQuery",
                "TraceTailHTTP",
                "TraceTailAppDatabase",
                "TraceTailPostgres",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
