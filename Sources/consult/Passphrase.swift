import ArgumentParser
import ConsultRecords
import ConsultSealing
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A passphrase from `--passphrase-file` (for scripts: mode 0600, first line), else asked on the
/// terminal without echo; never from an argument, which others can read in the process list.
enum Passphrase {
    static func read(file: String?, prompt: String, twice: Bool = false) throws -> String {
        if let file {
            guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8)
            else {
                throw ValidationError("\(file): cannot read the passphrase file")
            }
            let mode = (try? FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int) ?? 0
            guard mode & 0o077 == 0 else {
                throw ValidationError(
                    "\(file): others can read the passphrase file (mode \(String(mode, radix: 8))): chmod 600 it")
            }
            let line = text.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
            guard !line.isEmpty else {
                throw ValidationError("\(file): expected the passphrase on the first line; it is empty")
            }
            return line
        }
        let first = try ask(prompt)
        if twice, try ask("Again, to be sure: ") != first {
            throw ValidationError("the two passphrases differ: nothing was written")
        }
        return first
    }

    /// Reads a line from the controlling terminal with echo off.
    private static func ask(_ prompt: String) throws -> String {
        let fd = open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard fd >= 0 else {
            throw ValidationError("no terminal to ask the passphrase on: give --passphrase-file FILE")
        }
        defer { close(fd) }
        var saved = termios()
        guard tcgetattr(fd, &saved) == 0 else {
            throw ValidationError("/dev/tty: cannot turn echo off: give --passphrase-file FILE")
        }
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        _ = tcsetattr(fd, TCSAFLUSH, &quiet)
        defer {
            _ = tcsetattr(fd, TCSAFLUSH, &saved)
            _ = "\n".withCString { Glibc.write(fd, $0, 1) }
        }
        _ = prompt.withCString { Glibc.write(fd, $0, strlen($0)) }
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while Glibc.read(fd, &byte, 1) == 1, byte != 0x0A, byte != 0x0D {
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// How staff open sealed records: `--identity FILE` (several for old and new keys), its
/// passphrase, and the hosts whose records the office trusts.
struct KeyOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "A lawyer's identity (from `consult keys generate`) to open sealed records; may be repeated.",
            valueName: "file"))
    var identity: [String] = []

    @Option(
        help: ArgumentHelp(
            "A file holding the identity's passphrase (mode 0600; default: asked without echo).", valueName: "file"))
    var passphraseFile: String?

    @Option(
        help: ArgumentHelp(
            "A file of the hosts whose sealed records are trusted, one `consult keys host` line each (default: $CONSULT_HOSTS).",
            valueName: "file"))
    var hosts: String?

    func keys() throws -> OpeningKeys {
        var keys = OpeningKeys()
        do throws(SealingError) {
            if let file = hosts
                ?? ProcessInfo.processInfo.environment["CONSULT_HOSTS"].flatMap({ $0.isEmpty ? nil : $0 })
            {
                keys.knownHosts = try KnownHosts.hosts(at: file)
            }
        } catch {
            throw ValidationError(error.description)
        }
        for path in identity {
            let passphrase = try Passphrase.read(file: passphraseFile, prompt: "Passphrase for \(path): ")
            do throws(SealingError) {
                keys.identities.append(try Identity.read(path, passphrase: passphrase))
            } catch {
                throw ValidationError(error.description)
            }
        }
        return keys
    }
}
