// swift-tools-version:6.0
import PackageDescription

// vbqlab supports Linux only (it is built and tested on Debian): among other Linux calls it
// preallocates its record files with posix_fallocate, which macOS does not have.
#if !os(Linux)
#error("vbqlab builds on Linux only (Debian or another glibc distribution)")
#endif

let package = Package(
    name: "vbqlab",
    products: [
        .executable(name: "vbqlab", targets: ["vbqlab"]),
        .library(name: "VBQLab", targets: ["VBQLab"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/JohnSundell/Ink", from: "0.6.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CGSL",
            pkgConfig: "gsl",
            providers: [.apt(["libgsl-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(name: "CGSLShims", dependencies: ["CGSL"]),
        // The layers, each importing only those above it in this list. Only VBQCore sees
        // GSL, zlib and the C kernels; docs/architecture.md maps what lives where.
        .target(name: "VBQCore", dependencies: ["CGSL", "CGSLShims", "CZlib"]),
        .target(name: "VBQEstimate", dependencies: ["VBQCore"]),
        .target(name: "VBQModel", dependencies: ["VBQCore", "VBQEstimate", .product(name: "Yams", package: "Yams")],
                plugins: ["EmbedScenarios"]),
        .target(name: "VBQSimulation", dependencies: ["VBQCore", "VBQEstimate", "VBQModel"]),
        .target(name: "VBQReport", dependencies: ["VBQCore", "VBQEstimate", "VBQModel", "VBQSimulation", .product(name: "Ink", package: "Ink")]),
        // The library as one import (the command line, the tests, the fuzz targets).
        .target(name: "VBQLab", dependencies: ["VBQCore", "VBQEstimate", "VBQModel", "VBQSimulation", "VBQReport"]),
        .target(
            name: "VBQLabCLI",
            dependencies: ["VBQLab", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(name: "vbqlab", dependencies: ["VBQLabCLI"]),
        // Builds scenarios/*.yaml into VBQModel at build time (DefaultScenarios).
        .plugin(name: "EmbedScenarios", capability: .buildTool(), dependencies: ["EmbedScenariosTool"]),
        .executableTarget(name: "EmbedScenariosTool", path: "Plugins/EmbedScenariosTool"),
        // What the tests share: the plain implementations the fast paths are checked against,
        // and the one closeness check with its named tolerances.
        .target(name: "VBQTestSupport", dependencies: ["VBQLab"], path: "Tests/Support"),
        .testTarget(name: "VBQLabTests", dependencies: ["VBQLab", "VBQTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "VBQLabCLITests", dependencies: ["VBQLab", "VBQTestSupport", "vbqlab"], exclude: ["Fixtures"]),
    ]
)

// For `make fuzz` (fuzz/README.md): the library as a dynamic library, which the libFuzzer
// targets in fuzz/ link against. Built with coverage instrumentation in .build-fuzz only.
if Context.environment["VBQLAB_FUZZ"] != nil {
    package.products.append(.library(name: "VBQLabFuzz", type: .dynamic, targets: ["VBQCore", "VBQEstimate", "VBQModel", "VBQSimulation", "VBQReport", "VBQLab"]))
}
