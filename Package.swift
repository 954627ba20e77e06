// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "consult",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "consult", targets: ["consult"]),
        .executable(name: "consult-sshd", targets: ["consult-sshd"]),
        // For the benchmark suite (Benchmarks/, a package of its own that `make test` never builds).
        .library(
            name: "ConsultLibraries",
            targets: ["ConsultEngine", "ConsultLocalization", "ConsultContent", "ConsultRecords"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssh", from: "0.15.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/vapor/sqlite-nio", from: "1.13.2"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // The dialog model, expression language and the consultation state machine. No I/O.
        .target(name: "ConsultEngine"),
        // Message catalogs, CLDR plural rules, date and number formatting.
        // Crypto: the short hash of the English text each translation records (`translated_from`).
        .target(
            name: "ConsultLocalization",
            dependencies: ["ConsultEngine", "Yams", .product(name: "Crypto", package: "swift-crypto")]),
        // YAML → model with located diagnostics; lint; rendering engine values through catalogs.
        // Crypto: the content's hash, and the content cache's keys and digests.
        .target(
            name: "ConsultContent",
            dependencies: [
                "ConsultEngine", "ConsultLocalization", "Yams", .product(name: "Crypto", package: "swift-crypto"),
            ]),
        // Keys for sealed records: lawyers' identities (scrypt-sealed X25519 keys), recipients, host
        // signing keys, HPKE wrapping and sealing. Knows nothing of transcripts.
        .target(
            name: "ConsultSealing",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        // Transcripts (hash-chained JSON Lines) and appointment requests as bytes, hashes and
        // files: the typed events, the writer, the reader and `verify`. Never the terminal, never words.
        .target(
            name: "ConsultRecords",
            dependencies: ["ConsultEngine", "ConsultSealing", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // Where records meet: the record store (SQLite embedded by default, PostgreSQL for an office),
        // the local spool forwarded to it, import, purge and erasure with their audit.
        .target(
            name: "ConsultStore",
            dependencies: [
                "ConsultEngine", "ConsultRecords",
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The lawyer's view of the records, in the lawyer's language: rendering for people.
        .target(
            name: "ConsultStaff",
            dependencies: ["ConsultEngine", "ConsultLocalization", "ConsultContent", "ConsultRecords"]
        ),
        // What a terminal does around the engine (commands, the request's review, the language,
        // confirmations, ends) as a value: inputs in, effects out. No I/O.
        .target(
            name: "ConsultConversation",
            dependencies: ["ConsultEngine", "ConsultLocalization", "ConsultContent", "ConsultRecords"]
        ),
        // libedit, through pkg-config, and fixed-argument wrappers for its variadic calls.
        .systemLibrary(
            name: "CLibEdit",
            pkgConfig: "libedit",
            providers: [.apt(["libedit-dev"])]
        ),
        // Only what Swift cannot call: libedit's variadic functions.
        .target(name: "CLibEditShim", dependencies: ["CLibEdit"]),
        // Only what Swift cannot write: async-signal-safe handlers (flags, the crash guard) and
        // waiting for input without missing a signal. No libedit.
        .target(name: "CSignals"),
        // The terminal front end: line reader (libedit or plain), rendering, commands.
        .target(
            name: "ConsultTerminal",
            dependencies: [
                "ConsultEngine", "ConsultLocalization", "ConsultContent", "ConsultRecords", "ConsultConversation",
                "CSignals",
            ]
        ),
        // The libedit line reader, for a person at a terminal (the plain reader needs no libedit).
        .target(name: "ConsultEditLine", dependencies: ["ConsultTerminal", "CLibEditShim", "CSignals"]),
        .executableTarget(
            name: "consult",
            dependencies: [
                "ConsultEngine",
                "ConsultLocalization",
                "ConsultContent",
                "ConsultRecords",
                "ConsultSealing",
                "ConsultStaff",
                "ConsultStore",
                "ConsultConversation",
                "ConsultTerminal",
                "ConsultEditLine",
                "ConsultReplay",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Past consultations walked through the content as it is now (`consult replay`).
        .target(name: "ConsultReplay", dependencies: ["ConsultEngine", "ConsultContent", "ConsultRecords"]),
        // Pseudo-terminals and spawning a consultation in one (ioctl and posix_spawn flags Swift cannot call).
        .target(name: "CPseudoTerminal"),
        // The SSH server: one child `consult` per session, in a pseudo-terminal of its own.
        .target(
            name: "ConsultSSH",
            dependencies: [
                "ConsultEngine",
                "ConsultLocalization",
                "ConsultContent",
                "CPseudoTerminal",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSH", package: "swift-nio-ssh"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "consult-sshd",
            dependencies: [
                "ConsultContent",
                "ConsultRecords",
                "ConsultSSH",
                "ConsultSealing",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // Fuzzing (FuzzTesting/README.md): the entry points, shared by one libFuzzer executable each
        // (`make fuzz`, built with --sanitize=fuzzer in .build-fuzz) and by ConsultFuzzingTests, which
        // feeds them the kept crash inputs and the seed corpora in an ordinary `swift test`.
        .target(
            name: "ConsultFuzzing",
            dependencies: ["ConsultEngine", "ConsultLocalization", "ConsultContent"],
            path: "FuzzTesting/Sources/ConsultFuzzing"
        ),
        // The transcript's entry point on its own: it needs the records (and so swift-crypto's
        // BoringSSL), which the other targets' sanitized builds do without.
        .target(
            name: "ConsultFuzzingRecords",
            dependencies: ["ConsultFuzzing", "ConsultRecords", "ConsultStaff", "ConsultContent"],
            path: "FuzzTesting/Sources/ConsultFuzzingRecords"),
        .executableTarget(
            name: "FuzzAnswerParser", dependencies: ["ConsultFuzzing"], path: "FuzzTesting/Sources/FuzzAnswerParser"),
        .executableTarget(
            name: "FuzzExpression", dependencies: ["ConsultFuzzing"], path: "FuzzTesting/Sources/FuzzExpression"),
        .executableTarget(
            name: "FuzzDialogLoader", dependencies: ["ConsultFuzzing"], path: "FuzzTesting/Sources/FuzzDialogLoader"),
        .executableTarget(
            name: "FuzzLocaleLoader", dependencies: ["ConsultFuzzing"], path: "FuzzTesting/Sources/FuzzLocaleLoader"),
        .executableTarget(
            name: "FuzzMessageFormat", dependencies: ["ConsultFuzzing"], path: "FuzzTesting/Sources/FuzzMessageFormat"),
        .executableTarget(
            name: "FuzzTranscript", dependencies: ["ConsultFuzzingRecords"], path: "FuzzTesting/Sources/FuzzTranscript"),
        // What the test targets share (Tests/ConsultTestSupport): the repository's root, the shipped
        // content, the built binaries and running them, temporary folders, the messages in a
        // language, the scripted answers, /proc, spawning, and the SSH servers' common parts.
        // No Testing: a library target like any other, used by the test targets only.
        .target(
            name: "ConsultTestSupport",
            dependencies: ["ConsultEngine", "ConsultLocalization", "ConsultContent", "ConsultRecords"],
            path: "Tests/ConsultTestSupport"
        ),
        .testTarget(
            name: "ConsultFuzzingTests",
            dependencies: ["ConsultFuzzing", "ConsultFuzzingRecords", "ConsultTestSupport"]),
        .testTarget(name: "ConsultEngineTests", dependencies: ["ConsultEngine", "ConsultTestSupport"]),
        .testTarget(
            name: "ConsultLocalizationTests",
            dependencies: ["ConsultLocalization", "ConsultEngine", "ConsultTestSupport"]),
        .testTarget(
            name: "ConsultContentTests",
            dependencies: ["ConsultContent", "ConsultEngine", "ConsultLocalization", "ConsultTestSupport"]),
        .testTarget(name: "ConsultCLITests", dependencies: ["ConsultEngine", "ConsultRecords", "ConsultTestSupport"]),
        .testTarget(
            name: "ConsultTerminalTests",
            dependencies: [
                "ConsultTerminal", "ConsultContent", "ConsultEngine", "ConsultRecords", "ConsultStaff",
                "ConsultTestSupport",
            ]
        ),
        .testTarget(
            name: "ConsultConversationTests",
            dependencies: [
                "ConsultConversation", "ConsultContent", "ConsultEngine", "ConsultLocalization", "ConsultRecords",
                "ConsultTestSupport",
            ]
        ),
        .testTarget(
            name: "ConsultRecordsTests",
            dependencies: [
                "ConsultRecords", "ConsultStaff", "ConsultContent", "ConsultEngine", "ConsultLocalization",
                "ConsultTestSupport",
            ]
        ),
        .testTarget(
            name: "ConsultStoreTests",
            dependencies: ["ConsultStore", "ConsultRecords", "ConsultSealing", "ConsultEngine", "ConsultTestSupport"]),
        .testTarget(
            name: "ConsultSSHTests",
            dependencies: [
                "ConsultSSH", "ConsultEngine", "ConsultLocalization", "ConsultTestSupport",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOSSH", package: "swift-nio-ssh"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "ConsultSealingTests",
            dependencies: ["ConsultSealing", "ConsultRecords", "ConsultEngine", "ConsultTestSupport"]),
        // The real binaries in tmux and through OpenSSH: everything they need comes through the support target.
        .testTarget(name: "ConsultREPLTests", dependencies: ["ConsultTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
