// swift-tools-version: 6.1
// The benchmark suite (`make bench`): a package of its own, so that `make test` never builds
// package-benchmark, its plugins or this folder. It uses consult's libraries by path and runs the
// release binaries that `make bench` builds first (`../.build/release`).
import PackageDescription

let package = Package(
    name: "consult-benchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "consult", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // Spawning a program in a pseudo-terminal of its own (openpty, posix_spawn with a new session).
        .target(name: "CBenchTerminal"),
        // The floor: a tiny C program on libedit showing the three-language first question.
        .executableTarget(
            name: "libedit-floor",
            cSettings: [.unsafeFlags(["-I/usr/include/editline"])],
            linkerSettings: [.linkedLibrary("edit")]
        ),
        .executableTarget(
            name: "ConsultBenchmarks",
            dependencies: [
                "CBenchTerminal",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ConsultLibraries", package: "consult"),
            ],
            path: "Benchmarks/ConsultBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
