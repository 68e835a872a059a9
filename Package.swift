// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "vbqlab",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "vbqlab", targets: ["vbqlab"]),
        .library(name: "VBQLab", targets: ["VBQLab"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CGSL",
            pkgConfig: "gsl",
            providers: [.apt(["libgsl-dev"])]
        ),
        .target(name: "CGSLShims", dependencies: ["CGSL"]),
        .target(
            name: "VBQLab",
            dependencies: ["CGSL", "CGSLShims", .product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "VBQLabCLI",
            dependencies: ["VBQLab", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(name: "vbqlab", dependencies: ["VBQLabCLI"]),
        .testTarget(name: "VBQLabTests", dependencies: ["VBQLab"]),
        .testTarget(name: "VBQLabCLITests", dependencies: ["VBQLab", "vbqlab"], exclude: ["Fixtures"]),
    ]
)

// libFuzzer targets (fuzz/), added only for `make fuzz`, which sets VBQLAB_FUZZ and builds them
// with -sanitize=fuzzer,address in a build folder of their own (.build-fuzz).
if Context.environment["VBQLAB_FUZZ"] != nil {
    for name in ["scenario", "csv"] {
        package.targets.append(.executableTarget(name: "fuzz-\(name)", dependencies: ["VBQLab"], path: "fuzz/\(name)"))
        package.products.append(.executable(name: "fuzz-\(name)", targets: ["fuzz-\(name)"]))
    }
}
