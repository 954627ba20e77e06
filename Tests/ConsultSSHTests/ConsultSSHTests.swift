import ConsultTestSupport
import Foundation
import NIOSSH
import Synchronization
import Testing

@testable import ConsultSSH

/// The server's pieces without a network: files it reads, what it lets through, its accounting.
@Suite final class ConsultSSHTests {
    let directory: URL

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    init() throws {
        directory = try temporaryDirectory("consult-ssh-unit")
    }

    func file(_ name: String, _ text: String, mode: Int16 = 0o600) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, mode_t(mode))
        return path
    }

    @Test func hostKeyIsCreatedOnceAndReadAgain() throws {
        let path = directory.appendingPathComponent("keys/host_key").path
        let created = try HostKey.loadOrCreate(at: path)
        #expect(created.created)
        let again = try HostKey.loadOrCreate(at: path)
        #expect(!again.created)
        #expect(again.fingerprint == created.fingerprint && again.openSSHPublicKey == created.openSSHPublicKey)
        #expect(created.fingerprint.hasPrefix("SHA256:") && created.fingerprint.count == 50)
        #expect(try String(contentsOfFile: path + ".pub", encoding: .utf8).hasPrefix("ssh-ed25519 "))
        let folder = try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent("keys").path)
        #expect((folder[.posixPermissions] as? Int) == 0o700)
    }

    @Test func hostKeyThatIsNotOneIsNamed() throws {
        let path = try file("not_a_key", "-----BEGIN OPENSSH PRIVATE KEY-----\n")
        #expect { try HostKey.loadOrCreate(at: path) } throws: {
            "\($0)".contains("\(path): expected a 32-byte raw ed25519 private key")
        }
    }

    @Test func passwordFileErrorsNameTheLine() throws {
        let good = try file("pw", "# comment\n\nanna:one two\nboris:x:y\n")
        #expect(try Credentials.passwords(at: good) == ["anna": "one two", "boris": "x:y"])
        let bad = try file("pw-bad", "anna:1\n\nno colon here\n")
        #expect { try Credentials.passwords(at: bad) } throws: {
            "\($0)".contains("\(bad):3:1: expected user:password")
        }
        let twice = try file("pw-twice", "anna:1\nanna:2\n")
        #expect { try Credentials.passwords(at: twice) } throws: {
            "\($0)".contains("\(twice):2:1: the user 'anna' is listed twice")
        }
        let open = try file("pw-open", "anna:1\n", mode: 0o640)
        #expect { try Credentials.passwords(at: open) } throws: { "\($0)".contains("chmod 600") }
    }

    @Test func authorizedKeys() throws {
        let key = NIOSSHPrivateKey(ed25519Key: .init()).publicKey
        let line = String(openSSHPublicKey: key)
        let path = try file("authorized_keys", "# office\n\(line) anna@laptop\n", mode: 0o644)
        #expect(try Credentials.authorizedKeys(at: path) == [key])
        let rsa = try file("rsa", "\(line)\nssh-rsa AAAAB3Nza x\n")
        #expect { try Credentials.authorizedKeys(at: rsa) } throws: {
            "\($0)".contains("\(rsa):2:1: RSA keys are not supported")
        }
        let options = try file("options", "no-pty \(line)\n")
        #expect { try Credentials.authorizedKeys(at: options) } throws: {
            "\($0)".contains("\(options):1:1: expected a key type")
        }
        let broken = try file("broken", "ssh-ed25519 AAAA!!!\n")
        #expect { try Credentials.authorizedKeys(at: broken) } throws: {
            "\($0)".contains("\(broken):1:1: not a valid ssh-ed25519 public key")
        }
    }

    @Test func secretsCompareWholly() {
        #expect(Credentials.constantTimeEqual("пароль", "пароль"))
        #expect(!Credentials.constantTimeEqual("пароль", "пароль "))
        #expect(!Credentials.constantTimeEqual("", "x"))
    }

    @Test func onlyLocaleVariablesPass() {
        #expect(SessionStateMachine.isLocaleVariable("LANG", "ru_RU.UTF-8"))
        #expect(SessionStateMachine.isLocaleVariable("LC_ALL", "C.UTF-8"))
        #expect(SessionStateMachine.isLocaleVariable("LC_MESSAGES", "sr_RS.UTF-8@latin"))
        #expect(!SessionStateMachine.isLocaleVariable("LD_PRELOAD", "/tmp/x.so"))
        #expect(!SessionStateMachine.isLocaleVariable("PATH", "/tmp"))
        #expect(!SessionStateMachine.isLocaleVariable("LC_lower", "C"))
        #expect(!SessionStateMachine.isLocaleVariable("LANG", "ru_RU.UTF-8; rm -rf /"))
        #expect(!SessionStateMachine.isLocaleVariable("LANG", String(repeating: "a", count: 101)))
        #expect(SessionStateMachine.sanitizedTerm("xterm-256color") == "xterm-256color")
        #expect(SessionStateMachine.sanitizedTerm("../../etc/passwd") == "xterm")
        #expect(SessionStateMachine.sanitizedTerm("") == "xterm")
    }

    @Test func admissionCountsPerAddressPerMinute() {
        var limits = ServerLimits()
        limits.connectionsPerMinute = 2
        limits.startups = Startups(full: 100)
        let admission = Admission(limits: limits)
        let t0 = Date()
        #expect(admission.admitConnection(from: "192.0.2.1", now: t0) == nil)
        #expect(admission.admitConnection(from: "192.0.2.1", now: t0.addingTimeInterval(1)) == nil)
        #expect(admission.admitConnection(from: "192.0.2.1", now: t0.addingTimeInterval(2)) == .rate)
        // Another address is not affected; a minute later the first one may come again.
        #expect(admission.admitConnection(from: "198.51.100.7", now: t0.addingTimeInterval(2)) == nil)
        #expect(admission.admitConnection(from: "192.0.2.1", now: t0.addingTimeInterval(61.5)) == nil)
    }

    @Test func admissionLimitsWaitingAndRunning() {
        var limits = ServerLimits()
        limits.startups = Startups(full: 2)
        limits.maximumSessions = 1
        let admission = Admission(limits: limits)
        #expect(admission.admitConnection(from: "a") == nil)
        #expect(admission.admitConnection(from: "b") == nil)
        #expect(admission.admitConnection(from: "c") == .unauthenticated)
        admission.leftUnauthenticated(from: "a")
        #expect(admission.admitConnection(from: "c") == nil)

        #expect(admission.reserveSession(from: "a") == nil)
        #expect(admission.reserveSession(from: "b") == .sessions)
        admission.sessionStarted(pid: 4242, address: "a")
        #expect(admission.runningSessions == 1)
        #expect(admission.reserveSession(from: "b") == .sessions)
        admission.sessionEnded(pid: 4242)
        #expect(admission.reserveSession(from: "b") == nil)
        admission.sessionStarted(pid: nil, address: "b")
        #expect(admission.runningSessions == 0)
    }

    @Test func admissionLimitsWaitingPerAddress() {
        var limits = ServerLimits()
        limits.connectionsPerMinute = 100
        limits.maximumUnauthenticatedPerAddress = 2
        let admission = Admission(limits: limits)
        #expect(admission.admitConnection(from: "192.0.2.1") == nil)
        #expect(admission.admitConnection(from: "192.0.2.1") == nil)
        #expect(admission.admitConnection(from: "192.0.2.1") == .unauthenticatedFromAddress)
        #expect(admission.admitConnection(from: "198.51.100.7") == nil)
        #expect(admission.waitingToAuthenticate == 3)
        admission.leftUnauthenticated(from: "192.0.2.1")
        #expect(admission.admitConnection(from: "192.0.2.1") == nil)
        // A release for an address with nothing waiting changes nothing.
        admission.leftUnauthenticated(from: "203.0.113.9")
        #expect(admission.waitingToAuthenticate == 3)
    }

    @Test func anIPv6HostIsItsSlash64() {
        #expect(Admission.holder(of: "192.0.2.1") == "192.0.2.1")
        #expect(Admission.holder(of: "2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64")
        #expect(Admission.holder(of: "2001:db8:1:2:bbbb:cccc:dddd:eeee") == "2001:db8:1:2::/64")
        #expect(Admission.holder(of: "::ffff:192.0.2.7") == "192.0.2.7")
        #expect(Admission.holder(of: "unknown") == "unknown")
        var limits = ServerLimits()
        limits.maximumUnauthenticatedPerAddress = 1
        let admission = Admission(limits: limits)
        #expect(admission.admitConnection(from: "2001:db8:1:2::1") == nil)
        #expect(admission.admitConnection(from: "2001:db8:1:2::2") == .unauthenticatedFromAddress)
        #expect(admission.admitConnection(from: "2001:db8:1:3::1") == nil)
    }

    @Test func startupsParseAsOpenSSHWritesThem() {
        #expect(Startups("10:30:100") == Startups(start: 10, rate: 30, full: 100))
        #expect(Startups("7") == Startups(full: 7))
        for bad in ["", "0", "10:30", "20:30:10", "10:0:100", "10:101:100", "a:b:c", "10:30:100:1", "-1"] {
            #expect(Startups(bad) == nil, "\(bad)")
        }
        let startups = Startups(start: 10, rate: 30, full: 100)
        #expect(startups.dropPercent(waiting: 9) == 0)
        #expect(startups.dropPercent(waiting: 10) == 30)
        #expect(startups.dropPercent(waiting: 55) == 65)
        #expect(startups.dropPercent(waiting: 100) == 100)
        #expect(Startups(full: 5).dropPercent(waiting: 4) == 0 && Startups(full: 5).dropPercent(waiting: 5) == 100)
    }

    @Test func admissionDropsAtRandomBetweenStartAndFull() {
        var limits = ServerLimits()
        limits.connectionsPerMinute = 1000
        limits.maximumUnauthenticatedPerAddress = 1000
        limits.startups = Startups(start: 2, rate: 50, full: 4)
        // The "random" number is chosen by the test: 49 is dropped at 50 %, 50 is not.
        final class Roll: Sendable { let value = Mutex(0) }
        let roll = Roll()
        let admission = Admission(limits: limits, percent: { roll.value.withLock { $0 } })
        roll.value.withLock { $0 = 0 }
        #expect(admission.admitConnection(from: "a") == nil)  // below start: never dropped
        #expect(admission.admitConnection(from: "b") == nil)
        roll.value.withLock { $0 = 49 }
        #expect(admission.admitConnection(from: "c") == .earlyDrop)  // 2 waiting: 50 %
        roll.value.withLock { $0 = 50 }
        #expect(admission.admitConnection(from: "c") == nil)
        roll.value.withLock { $0 = 74 }
        #expect(admission.admitConnection(from: "d") == .earlyDrop)  // 3 waiting: 75 %
        roll.value.withLock { $0 = 75 }
        #expect(admission.admitConnection(from: "d") == nil)
        roll.value.withLock { $0 = 99 }
        #expect(admission.admitConnection(from: "e") == .unauthenticated)  // full
        #expect(admission.waitingToAuthenticate == 4)
    }

    @Test func admissionLimitsSessionsPerAddress() {
        var limits = ServerLimits()
        limits.maximumSessions = 10
        limits.maximumSessionsPerAddress = 2
        let admission = Admission(limits: limits)
        #expect(admission.reserveSession(from: "192.0.2.1") == nil)
        admission.sessionStarted(pid: 1001, address: "192.0.2.1")
        #expect(admission.reserveSession(from: "192.0.2.1") == nil)  // reserved, not yet started
        #expect(admission.reserveSession(from: "192.0.2.1") == .sessionsFromAddress)
        #expect(admission.reserveSession(from: "198.51.100.7") == nil)
        admission.sessionEnded(pid: 1001)
        #expect(admission.reserveSession(from: "192.0.2.1") == nil)
    }

    @Test func childArgumentsCarryTheChannelAndIdleTime() {
        let command = ConsultationCommand(
            executable: "/usr/local/bin/consult", extraArguments: ["--today", "2026-11-25"],
            dataDirectory: "/var/lib/consult")
        #expect(
            command.arguments(idleTimeout: 600) == [
                "/usr/local/bin/consult", "start", "--channel", "ssh", "--data-dir", "/var/lib/consult",
                "--idle-minutes", "10", "--today", "2026-11-25",
            ])
        #expect(command.arguments(idleTimeout: 90).contains("1.5"))
    }
}

extension ConsultSSHTests {
    @Test func recordsDirectoryIsCreatedPrivateAndRefusedWhenOthersCanRead() throws {
        let fresh = directory.appendingPathComponent("new/data").path
        #expect(try RecordsDirectory.prepare(fresh) == fresh)
        let attributes = try FileManager.default.attributesOfItem(atPath: fresh)
        #expect((attributes[.posixPermissions] as? Int) == 0o700)
        #expect(try FileManager.default.contentsOfDirectory(atPath: fresh).isEmpty)  // the probe is gone

        chmod(fresh, 0o750)
        #expect {
            try RecordsDirectory.prepare(fresh)
        } throws: { error in
            "\(error)".contains(fresh) && "\(error)".contains("chmod 700")
        }
        let file = try self.file("plain", "x")
        #expect {
            try RecordsDirectory.prepare(file)
        } throws: { error in
            "\(error)".contains(file) && "\(error)".contains("not a folder")
        }
    }
}

extension ConsultSSHTests {
    /// What a shutdown waits for, reported as it happens: no consultation running (nor starting),
    /// then every consultation's session closed (its client told how it ended).
    @Test func admissionTellsWhenTheLastConsultationEndsAndItsSessionCloses() {
        final class Calls: Sendable { let names = Mutex<[String]>([]) }
        let calls = Calls()
        let admission = Admission(limits: ServerLimits())
        admission.whenNoConsultationRuns { calls.names.withLock { $0.append("idle at once") } }
        #expect(calls.names.withLock { $0 } == ["idle at once"])

        #expect(admission.reserveSession(from: "192.0.2.1") == nil)
        #expect(admission.reserveSession(from: "192.0.2.2") == nil)
        admission.whenNoConsultationRuns { calls.names.withLock { $0.append("none runs") } }
        admission.whenEverySessionClosed { calls.names.withLock { $0.append("all closed") } }
        admission.sessionStarted(pid: 4242, address: "192.0.2.1")
        admission.sessionStarted(pid: nil, address: "192.0.2.2")  // could not start
        admission.sessionClosed()
        #expect(calls.names.withLock { $0 } == ["idle at once"])
        admission.sessionEnded(pid: 4242)
        #expect(calls.names.withLock { $0 } == ["idle at once", "none runs"])
        #expect(admission.openSessions == 1)
        admission.sessionClosed()
        #expect(calls.names.withLock { $0 } == ["idle at once", "none runs", "all closed"])
        // Each is told once.
        admission.sessionClosed()
        #expect(calls.names.withLock { $0 }.count == 3 && admission.openSessions == 0)
    }
}
