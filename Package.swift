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
        // SHA-256, HMAC and PBKDF2: compiled with optimisation in every configuration, as a C
        // library would be, so a debug build (the tests) hashes a password in the time a
        // release build does rather than twenty times longer.
        .target(name: "KringCrypto", dependencies: ["CKringSHA"], swiftSettings: [.unsafeFlags(["-O"])]),
        // SHA-256's compression with the processor's SHA instructions, where it has them
        // (checked at run time), and the round constants; KringCrypto's Swift compression is the
        // reference and the rest.
        .target(name: "CKringSHA", cSettings: [.unsafeFlags(["-O2"])]),
        .target(name: "KringCore", dependencies: ["KringCrypto"]),
        // The statistics as documents: JSON, CSV and the HTML page with its word tables.
        .target(name: "KringReport", dependencies: ["KringCore"]),
        .target(name: "KringStore", dependencies: ["KringCore", "CSQLite"]),
        .target(name: "KringHTTP", dependencies: ["KringCore", "KringStore", "KringReport"]),
        .executableTarget(name: "kring", dependencies: ["KringCore", "KringStore", "KringHTTP", "KringReport"]),
        .executableTarget(name: "KringBench", dependencies: ["KringCore", "KringStore", "KringHTTP", "KringReport", "KringTestSupport", "CSQLite"]),
        // A child process for the crash tests: appends exchanges one per transaction and
        // acknowledges each on stdout, so a test can SIGKILL it at any moment.
        .executableTarget(name: "KringCrashWriter", dependencies: ["KringCore", "KringStore"]),
        .target(name: "KringTestSupport", dependencies: ["KringCore", "KringStore"]),
        .testTarget(name: "KringCoreTests", dependencies: ["KringCore", "KringTestSupport"]),
        .testTarget(name: "KringStoreTests", dependencies: ["KringCore", "KringStore", "KringReport", "KringTestSupport", "CSQLite"]),
        .testTarget(name: "KringCLITests", dependencies: ["KringCore", "KringStore", "KringTestSupport"]),
        .testTarget(name: "KringHTTPTests", dependencies: ["KringCore", "KringStore", "KringHTTP", "KringTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
