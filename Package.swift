// swift-tools-version: 6.1
import PackageDescription

let nio: [Target.Dependency] = [
    .product(name: "NIOCore", package: "swift-nio"),
    .product(name: "NIOPosix", package: "swift-nio"),
    .product(name: "NIOHTTP1", package: "swift-nio"),
    .product(name: "NIOWebSocket", package: "swift-nio"),
    .product(name: "NIOSSL", package: "swift-nio-ssl"),
    .product(name: "CompressNIO", package: "compress-nio"),
]

let package = Package(
    name: "HFTKit",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "HFTKit", targets: ["HFTKit"]),
        .library(name: "HFTCore", targets: ["HFTCore"]),
        .library(name: "HFTTransport", targets: ["HFTTransport"]),
        .library(name: "HFTVenues", targets: ["HFTVenues"]),
        .library(name: "HFTSimulator", targets: ["HFTSimulator"]),
        .library(name: "HFTServices", targets: ["HFTServices"]),
        .executable(name: "hft", targets: ["hft"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        .target(name: "HFTCore"),
        .target(
            name: "HFTTransport",
            dependencies: ["HFTCore", .product(name: "Logging", package: "swift-log"),
                           .product(name: "AsyncHTTPClient", package: "async-http-client")] + nio
        ),
        .target(
            name: "HFTSimulator",
            dependencies: ["HFTCore", .product(name: "Logging", package: "swift-log"),
                           .product(name: "Crypto", package: "swift-crypto")] + nio,
            exclude: ["Binance/README.md", "DigiFinex/README.md", "LBank/README.md", "BGE/README.md", "FMex/README.md"]
        ),
        .target(
            name: "HFTVenues",
            dependencies: ["HFTCore", "HFTTransport", .product(name: "Logging", package: "swift-log"),
                           .product(name: "Crypto", package: "swift-crypto")],
            exclude: ["Kraken/README.md", "Binance/README.md", "DigiFinex/README.md", "LBank/README.md", "BGE/README.md", "FMex/README.md"]
        ),
        .target(
            name: "HFTServices",
            dependencies: ["HFTCore", "HFTVenues", "HFTSimulator", .product(name: "Logging", package: "swift-log")]
        ),
        .target(name: "HFTKit", dependencies: ["HFTCore", "HFTTransport", "HFTVenues", "HFTSimulator", "HFTServices"]),
        .executableTarget(
            name: "hft",
            dependencies: ["HFTKit", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                           .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(name: "HFTCoreTests", dependencies: ["HFTCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "HFTTransportTests", dependencies: ["HFTTransport", "HFTSimulator"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "HFTSimulatorTests", dependencies: ["HFTSimulator", .product(name: "CompressNIO", package: "compress-nio")]),
        .testTarget(name: "HFTVenuesTests", dependencies: ["HFTVenues", "HFTSimulator"], resources: [.copy("Fixtures")]),
        .testTarget(name: "HFTServicesTests", dependencies: ["HFTServices"]),
        .testTarget(name: "HFTCLITests", dependencies: ["hft", "HFTKit"]),
    ]
)
