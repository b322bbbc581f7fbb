// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Kring",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "kring", targets: ["kring"]),
        .library(name: "KringCore", targets: ["KringCore"]),
        .library(name: "KringStore", targets: ["KringStore"]),
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite",
            path: "Sources/CSQLite",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .target(name: "KringCore"),
        .target(name: "KringStore", dependencies: ["KringCore", "CSQLite"]),
        .target(name: "KringHTTP", dependencies: ["KringCore", "KringStore"]),
        .executableTarget(name: "kring", dependencies: ["KringCore", "KringStore", "KringHTTP"]),
        .executableTarget(name: "KringBench", dependencies: ["KringCore", "KringStore", "KringHTTP", "CSQLite"]),
        // A child process for the crash tests: appends exchanges one per transaction and
        // acknowledges each on stdout, so a test can SIGKILL it at any moment.
        .executableTarget(name: "KringCrashWriter", dependencies: ["KringCore", "KringStore"]),
        .target(name: "KringTestSupport", dependencies: ["KringCore", "KringStore"]),
        .testTarget(name: "KringCoreTests", dependencies: ["KringCore", "KringTestSupport"]),
        .testTarget(name: "KringStoreTests", dependencies: ["KringCore", "KringStore", "KringTestSupport", "CSQLite"]),
        .testTarget(name: "KringCLITests", dependencies: ["KringCore", "KringStore", "KringTestSupport"]),
        .testTarget(name: "KringHTTPTests", dependencies: ["KringCore", "KringStore", "KringHTTP", "KringTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
