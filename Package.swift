// swift-tools-version:6.2
import PackageDescription

let strict: [SwiftSetting] = [
    .treatAllWarnings(as: .error),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Panel",
    products: [
        .library(name: "PanelKit", targets: ["PanelKit"]),
        .executable(name: "panel", targets: ["panel"]),
    ],
    targets: [
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .target(name: "PanelKit", dependencies: ["CCurl", "CSQLite", "COpenBLAS"], swiftSettings: strict),
        .target(name: "PanelCLI", dependencies: ["PanelKit"], swiftSettings: strict),
        .executableTarget(name: "panel", dependencies: ["PanelCLI"], swiftSettings: strict),
        .executableTarget(
            name: "PanelBench", dependencies: ["PanelKit"], path: "benchmarks/PanelBench", swiftSettings: strict),
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(
            name: "PanelKitTests", dependencies: ["PanelKit", "TestSupport"],
            exclude: ["HTTP/Support/loopback_server.py"], swiftSettings: strict),
        .testTarget(name: "PanelCLITests", dependencies: ["PanelCLI", "PanelKit"], swiftSettings: strict),
        .testTarget(name: "IntegrationTests", dependencies: ["PanelKit", "PanelCLI", "TestSupport"], exclude: ["Malformed", "Support/fault_proxy.py"], swiftSettings: strict),
    ]
)
