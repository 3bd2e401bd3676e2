// swift-tools-version:6.0
import PackageDescription

/// Tocsin: Prometheus alerts to Telegram pages that climb an escalation ladder.
///
/// Layers, bottom up: thin C modules (one per Debian library), one Swift type per library that owns
/// its handle, the pure domain (`Models`), the Redis job queue (`Queue`), then `Ingest` and `Worker`,
/// and the `tocsin` executable on top. `TelegramSimulator` stands in for the Bot API in tests and the demo.
let package = Package(
    name: "tocsin",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tocsin", targets: ["tocsin"]),
        .executable(name: "tocsin-telegram-sim", targets: ["tocsin-telegram-sim"]),
    ],
    targets: [
        // MARK: - C libraries from Debian
        .systemLibrary(name: "CHiredis", path: "Sources/CHiredis"),
        .systemLibrary(name: "CLibpq", path: "Sources/CLibpq"),
        .systemLibrary(name: "CYaml", path: "Sources/CYaml"),
        .target(name: "CCurl", path: "Sources/CCurl", linkerSettings: [.linkedLibrary("curl")]),
        .target(name: "CMicroHTTPD", path: "Sources/CMicroHTTPD", linkerSettings: [.linkedLibrary("microhttpd")]),

        // MARK: - One Swift owner per C library
        .target(name: "Redis", dependencies: ["CHiredis"]),
        .target(name: "Postgres", dependencies: ["CLibpq"]),
        .target(name: "HTTPClient", dependencies: ["CCurl"]),
        .target(name: "HTTPServer", dependencies: ["CMicroHTTPD"]),
        .target(name: "YAML", dependencies: ["CYaml"]),

        // MARK: - Tocsin
        .target(name: "JSON"),
        .target(name: "Logging"),
        .target(name: "Metrics"),
        .target(name: "Models", dependencies: ["JSON"]),
        .target(name: "Queue", dependencies: ["Redis", "JSON", "Models", "Logging", "Metrics"]),
        .target(name: "Ingest", dependencies: ["HTTPServer", "Queue", "Models", "Logging", "Metrics"]),
        .target(
            name: "Worker",
            dependencies: [
                "Queue", "Postgres", "HTTPClient", "HTTPServer", "JSON", "Models", "Logging", "Metrics", "YAML",
            ]),
        .executableTarget(
            name: "tocsin", dependencies: ["Ingest", "Worker", "Queue", "Models", "Logging", "Metrics", "YAML"]),

        // MARK: - Telegram Bot API simulator
        .target(name: "TelegramSimulator", dependencies: ["HTTPServer", "JSON"]),
        .executableTarget(
            name: "tocsin-telegram-sim", dependencies: ["TelegramSimulator", "HTTPServer", "HTTPClient", "Logging"]),

        // MARK: - Tests
        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "TelegramSimulator"]),
        .testTarget(name: "SimulatorTests", dependencies: ["TelegramSimulator", "HTTPServer", "JSON"]),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "Redis", "Postgres", "Queue", "Worker", "Ingest", "Models", "HTTPClient", "HTTPServer", "YAML",
                "Logging", "Metrics", "TelegramSimulator",
            ]),
    ]
)
