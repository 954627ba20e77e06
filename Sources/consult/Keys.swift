import ArgumentParser
import ConsultRecords
import ConsultSealing
import Foundation

extension Consult {
    struct Keys: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The keys of sealed records: lawyers' identities, their recipients, this host's signing key.",
            discussion: """
                An identity opens the records sealed to its recipient (its public key). Machines that face \
                applicants get the recipients only (--recipients FILE on start, kiosk and consult-sshd), and \
                sign what they write with a host key of their own.
                """,
            subcommands: [Generate.self, Show.self, Host.self])

        struct Generate: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract:
                    "Make a new identity in FILE (mode 0600, sealed with a passphrase) and its recipient in FILE.pub.")

            @Option(help: ArgumentHelp("Where to write the identity (never over an existing file).", valueName: "file"))
            var out: String

            @Option(
                help: ArgumentHelp(
                    "A file holding the passphrase (mode 0600; default: asked twice without echo).", valueName: "file"))
            var passphraseFile: String?

            /// Lower only for tests: every opening of the identity costs 2^N (scrypt's memory and time).
            @Option(help: .hidden)
            var scryptLogN: Int = Identity.cost.logN

            func run() throws {
                let passphrase = try Passphrase.read(
                    file: passphraseFile, prompt: "Passphrase for the new identity: ", twice: true)
                let identity = Identity()
                do throws(SealingError) {
                    try identity.write(to: out, passphrase: passphrase, logN: scryptLogN)
                } catch {
                    throw ValidationError(error.place.isEmpty ? "\(out): \(error.message)" : error.description)
                }
                print(identity.recipient.string)
                printError(
                    "Identity written to \(out) (keep it and its passphrase apart); its recipient to \(out).pub.")
            }
        }

        struct Show: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract:
                    "The recipient (public key) of an identity or .pub file, for the recipients file; no passphrase needed."
            )

            @Argument(help: "An identity file or its .pub file.")
            var file: String

            func run() throws {
                do throws(SealingError) {
                    print(try Identity.recipient(at: file).string)
                } catch {
                    throw ValidationError(error.description)
                }
            }
        }

        struct Host: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "This host's signing key as a line of the known hosts file (made now if there is none yet).")

            @OptionGroup var data: DataOptions

            @Option(
                help: "The name this host signs with (default: the machine's host name); only when the key is made.")
            var name: String?

            func run() throws {
                let directory = data.directory
                do {
                    try directory.prepare()
                    print(
                        try HostKey.loadOrCreate(
                            at: directory.hostKey.path, name: name ?? ProcessInfo.processInfo.hostName
                        ).knownHostsLine)
                } catch let error as SealingError {
                    throw ValidationError(error.description)
                } catch {
                    throw ValidationError("\(directory.url.path): \(error)")
                }
            }
        }
    }
}
