import ConsultTestSupport
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Debian's OpenSSH server (`/usr/sbin/sshd`) on 127.0.0.1, configured with the recipe
/// `deploy/openssh/consult.conf` as an office would install it, for one test.
///
/// The main configuration is laid out as Debian's: a few settings of the test's own (port, host
/// key, pid file, authorized keys), then `Include` of the recipe first thing, then Debian's
/// defaults and a permissive office's settings (`PermitTTY no`, `AllowTcpForwarding yes`,
/// `X11Forwarding yes`, …) that the recipe's `Match` block must override for its user. The recipe
/// is read from the file each time and changed only where a test machine must differ:
///
/// - ``Login/key``: `Match User consult` becomes the user running the test (root in CI; tests
///   create no system users) and the client logs in with an ed25519 key of the test's own;
/// - ``Login/emptyPassword``: the recipe's own user `consult` with an empty password, in a mount
///   namespace of sshd's own whose `/etc/passwd`, `/etc/shadow` and `/etc/group` are copies
///   with that user added (the machine's are not touched); PAM as Debian ships it;
/// - in both, `ForceCommand /usr/local/bin/consult` becomes the built `consult`, and
///   `--data-dir /var/lib/consult` this server's data directory followed by `--today`,
///   `--dialogs` and `--locales` of the tests.
///
/// A recipe without those strings (its ForceCommand removed, say) cannot be started: the error
/// names what is missing.
final class OpenSSHServer: ServerUnderTest {
    static let sshd = "/usr/sbin/sshd"
    static let recipe = repositoryRoot.appendingPathComponent("deploy/openssh/consult.conf")

    /// The strings of the recipe a test replaces (and requires).
    static let recipeMatch = "Match User consult"
    static let recipeForceCommand = "ForceCommand /usr/local/bin/consult"
    static let recipeDataDirectory = "--data-dir /var/lib/consult"

    enum Login {
        /// The user running the test, with a key (`PermitRootLogin prohibit-password` when root).
        case key
        /// The recipe's user `consult`, no key and an empty password, as applicants log in.
        case emptyPassword
    }

    let login: Login
    let directory: URL
    let dataDirectory: URL
    let configFile: URL
    let clientKey: URL
    let logFile: URL
    /// The user in the `Match` line and on the client's command line.
    let user: String
    /// For ``Login/emptyPassword``: the user id given to `consult` in sshd's namespace.
    private(set) var uid: uid_t = 0
    private(set) var port = 0
    private(set) var pid: pid_t = 0
    private var exited: Int32?
    let serverName = "sshd"
    let logName = "sshd's log"

    /// Whether sshd can be given a mount namespace of its own (root with CAP_SYS_ADMIN; not in an
    /// unprivileged container) and a user other than root can run the built `consult`.
    static let emptyPasswordLoginPossible: Bool = {
        guard geteuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare") else { return false }
        let null = "/dev/null"
        guard
            let status = try? Spawn.spawnAndWait(
                "/usr/bin/unshare", ["-m", "/bin/sh", "-c", "mount --bind /etc/passwd /etc/passwd"],
                environment: ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"], output: null, error: null),
            status == 0
        else { return false }
        return [Binaries.consult.path, repositoryRoot.appendingPathComponent("dialogs").path]
            .allSatisfy(readableByOthers)
    }()

    /// The user running the test.
    static var currentUser: String {
        guard let entry = getpwuid(getuid()) else { return "root" }
        return String(cString: entry.pointee.pw_name)
    }

    init(_ login: Login = .key, extraConfiguration: [String] = []) async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.sshd) else {
            throw HarnessError(
                description: "OpenSSH's server is not installed at \(Self.sshd): `make test` installs openssh-server "
                    + "(or apt-get install openssh-server; it need not run, the tests start their own)")
        }
        guard SSHClient.ssh != nil, FileManager.default.isExecutableFile(atPath: SSHClient.keygen) else {
            throw HarnessError(description: "the OpenSSH client is not installed (`make test` installs openssh-client)")
        }
        guard FileManager.default.isExecutableFile(atPath: Binaries.consult.path) else {
            throw HarnessError(
                description: "no consult binary at \(Binaries.consult.path): run `swift build --build-tests` first")
        }
        self.login = login
        user = login == .key ? Self.currentUser : "consult"
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "consult-openssh-\(UUID().uuidString.lowercased())")
        try FileManager.default.createDirectory(
            at: directory, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o755])
        dataDirectory = directory.appendingPathComponent("data")
        configFile = directory.appendingPathComponent("sshd_config")
        clientKey = directory.appendingPathComponent("client_key")
        logFile = directory.appendingPathComponent("sshd.log")

        // sshd's privilege separation directory (Debian's service creates it at start).
        if !FileManager.default.fileExists(atPath: "/run/sshd") {
            do {
                try FileManager.default.createDirectory(
                    atPath: "/run/sshd", withIntermediateDirectories: true,
                    attributes: [.posixPermissions: 0o755])
            } catch {
                throw HarnessError(
                    description: "sshd needs /run/sshd and it cannot be created (run the tests as root): \(error)")
            }
        }
        try keygen(directory.appendingPathComponent("host_key"))
        try keygen(clientKey)
        try FileManager.default.copyItem(
            at: clientKey.appendingPathExtension("pub"),
            to: directory.appendingPathComponent("authorized_keys"))
        if login == .emptyPassword {
            try prepareUser()
        }
        let included = directory.appendingPathComponent("sshd_config.d")
        try FileManager.default.createDirectory(at: included, withIntermediateDirectories: true)
        try Self.adaptedRecipe(user: login == .key ? user : nil, dataDirectory: dataDirectory)
            .write(to: included.appendingPathComponent("consult.conf"), atomically: true, encoding: .utf8)

        // The port is found free, then bound by sshd: another process may take it in between.
        var attempts = 0
        while true {
            attempts += 1
            port = try Loopback.freePort()
            try configuration(extraConfiguration).write(to: configFile, atomically: true, encoding: .utf8)
            pid = try start()
            exited = nil
            do {
                try await waitForLog("Server listening on 127.0.0.1 port \(port)")
                return
            } catch  where attempts < 5 && log().contains("Bind to port") {
                _ = try? await stop(SIGKILL)
            }
        }
    }

    deinit {
        kill()
    }

    // MARK: - Configuration

    /// The recipe with the test's user, binary, data directory and content. Only settings are
    /// changed (comment lines are left as they are), and each string must be found exactly once.
    static func adaptedRecipe(user: String?, dataDirectory: URL) throws -> String {
        var lines = try String(contentsOf: recipe, encoding: .utf8).components(separatedBy: "\n")
        func replace(_ old: String, _ new: String, onLineStarting start: String) throws {
            let found = lines.indices.filter {
                let line = lines[$0].trimmingCharacters(in: .whitespaces)
                return line.hasPrefix(start) && line.contains(old)
            }
            guard found.count == 1 else {
                throw HarnessError(
                    description: "deploy/openssh/consult.conf has \(found.count) \(start)lines with “\(old)”, "
                        + "not one: the test cannot put its own user, binary and data directory in")
            }
            lines[found[0]] = lines[found[0]].replacingOccurrences(of: old, with: new)
        }
        let root = repositoryRoot
        if let user { try replace(recipeMatch, "Match User \(user)", onLineStarting: "Match ") }
        try replace(
            recipeForceCommand, "ForceCommand \(shellQuoted(Binaries.consult.path))", onLineStarting: "ForceCommand ")
        try replace(
            recipeDataDirectory,
            ([
                "--data-dir", dataDirectory.path, "--today", testToday,
                "--dialogs", root.appendingPathComponent("dialogs").path,
                "--locales", root.appendingPathComponent("locales").path,
            ])
            .map(shellQuoted).joined(separator: " "), onLineStarting: "ForceCommand ")
        return lines.joined(separator: "\n")
    }

    /// The main sshd_config: the test's own settings, the recipe included first thing (as
    /// Debian's sshd_config does), then settings the recipe must override for its user.
    private func configuration(_ extra: [String]) -> String {
        let dir = directory.path
        var lines = [
            "# The test's own server (\(dir)).",
            "Port \(port)",
            "ListenAddress 127.0.0.1",
            "HostKey \(dir)/host_key",
            "PidFile \(dir)/sshd.pid",
            "AuthorizedKeysFile \(dir)/authorized_keys",
            // The key and its directories are in /tmp (world-writable): not what StrictModes allows.
            "StrictModes no",
            login == .key ? "UsePAM no" : "UsePAM yes",
            "LogLevel VERBOSE",
        ]
        if login == .key && getuid() == 0 { lines.append("PermitRootLogin prohibit-password") }
        lines += extra
        lines += [
            "Include \(dir)/sshd_config.d/*.conf",
            "",
            "# Debian's defaults, after the Include.",
            "KbdInteractiveAuthentication no",
            "PrintMotd no",
            "AcceptEnv LANG LC_*",
            "Subsystem sftp /usr/lib/openssh/sftp-server",
            "",
            "# A permissive office: for the recipe's user, every one of these must be overridden.",
            "PermitTTY no",
            "PasswordAuthentication no",
            "PermitEmptyPasswords no",
            "AllowTcpForwarding yes",
            "AllowStreamLocalForwarding yes",
            "AllowAgentForwarding yes",
            "X11Forwarding yes",
            "PermitTunnel yes",
            "PermitUserRC yes",
            "MaxSessions 10",
            "ClientAliveInterval 0",
            "",
        ]
        return lines.joined(separator: "\n")
    }

    /// For ``Login/emptyPassword``: passwd, shadow and group files for sshd's namespace with the
    /// user `consult` (empty password, shell /bin/sh, home and data directory of its own) added.
    private func prepareUser() throws {
        var uid: uid_t = 64_990
        while getpwuid(uid) != nil || getgrgid(gid_t(uid)) != nil { uid -= 1 }
        self.uid = uid
        let home = directory.appendingPathComponent("home")
        for folder in [home, dataDirectory] {
            try FileManager.default.createDirectory(
                at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            guard chown(folder.path, uid, gid_t(uid)) == 0 else {
                throw HarnessError(description: "chown \(folder.path): \(String(cString: strerror(errno)))")
            }
        }
        func others(_ file: String) throws -> [Substring] {
            try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").filter {
                !$0.hasPrefix("consult:")
            }
        }
        let passwd = try others("/etc/passwd")
        // No password hash of the machine is copied: every other account is locked in there.
        let shadow = passwd.map { "\($0.prefix { $0 != ":" }):*:20000:0:99999:7:::" }
        let etc = directory.appendingPathComponent("etc")
        try FileManager.default.createDirectory(
            at: etc, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try (passwd.map(String.init) + ["consult:x:\(uid):\(uid):consult:\(home.path):/bin/sh"]).joined(separator: "\n")
            .appending("\n").write(to: etc.appendingPathComponent("passwd"), atomically: true, encoding: .utf8)
        try (shadow + ["consult::20000:0:99999:7:::"]).joined(separator: "\n")
            .appending("\n").write(to: etc.appendingPathComponent("shadow"), atomically: true, encoding: .utf8)
        try (try others("/etc/group").map(String.init) + ["consult:x:\(uid):"]).joined(separator: "\n")
            .appending("\n").write(to: etc.appendingPathComponent("group"), atomically: true, encoding: .utf8)
        for name in ["passwd", "group"] { chmod(etc.appendingPathComponent(name).path, 0o644) }
        chmod(etc.appendingPathComponent("shadow").path, 0o600)
        chmod(etc.path, 0o755)
    }

    private func keygen(_ file: URL) throws {
        let out = directory.appendingPathComponent("keygen.out")
        let status = try SSHClient.generateKey(file, comment: "consult-test", log: out)
        guard status == 0 else {
            throw HarnessError(
                description: "ssh-keygen failed (\(status)): \((try? String(contentsOf: out, encoding: .utf8)) ?? "")")
        }
    }

    private func start() throws -> pid_t {
        let arguments = ["-D", "-e", "-f", configFile.path]
        let environment = ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"]
        switch login {
        case .key:
            return try Spawn.spawn(
                Self.sshd, arguments, environment: environment, output: logFile.path, error: logFile.path)
        case .emptyPassword:
            // unshare and sh exec in place: the process started is sshd's listener itself.
            let etc = directory.appendingPathComponent("etc").path
            let script =
                ["passwd", "shadow", "group"]
                .map { "mount --bind \(shellQuoted("\(etc)/\($0)")) /etc/\($0)" }.joined(separator: " && ")
                + " && exec \(Self.sshd) " + arguments.map(shellQuoted).joined(separator: " ")
            return try Spawn.spawn(
                "/usr/bin/unshare", ["-m", "/bin/sh", "-c", script], environment: environment,
                output: logFile.path, error: logFile.path)
        }
    }

    // MARK: - sshd itself

    /// `sshd -t` (`-T` with `connection`: the settings in effect for that user) on this server's
    /// configuration: exit status and output.
    func check(extended connection: String? = nil) throws -> (status: Int32, output: String) {
        let arguments = connection.map { ["-T", "-f", configFile.path, "-C", $0] } ?? ["-t", "-f", configFile.path]
        return try Spawn.run(
            Self.sshd, arguments, environment: ["PATH": "/usr/sbin:/usr/bin:/bin"], scratch: directory, name: "check")
    }

    /// The listener's exit status if it has ended (reaped here once).
    func processExited() -> Int32? {
        if exited == nil && pid > 0 { exited = Spawn.reaped(pid) }
        return exited
    }

    /// Stops the listener with `signal` and waits for it; then ends whatever it left running (an
    /// sshd's sessions outlive its listener): the per-connection sshd processes and consultations.
    @discardableResult
    func stop(_ signal: Int32 = SIGTERM, timeout: Double = 10) async throws -> Int32 {
        let leftovers = exited == nil ? ProcessTable.descendants(of: pid) : []
        defer { endLeftovers(leftovers) }
        if let exited { return exited }
        Glibc.kill(pid, signal)
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let status = processExited() { return status }
            try await Task.sleep(for: .milliseconds(50))
        }
        Glibc.kill(pid, SIGKILL)
        _ = try? Spawn.waitForExit(pid)
        exited = 137
        throw HarnessError(description: "sshd did not stop within \(timeout) s of signal \(signal):\n\(log())")
    }

    /// Kills everything of this server's at once (the end of a test that failed half-way).
    func kill() {
        let leftovers = pid > 0 && exited == nil ? ProcessTable.descendants(of: pid) : []
        if exited == nil && pid > 0 {
            Glibc.kill(pid, SIGKILL)
            _ = try? Spawn.waitForExit(pid)
            exited = 137
        }
        endLeftovers(leftovers)
        try? FileManager.default.removeItem(at: directory)
    }

    private func endLeftovers(_ pids: [pid_t]) {
        let consultations = ProcessTable.processes { $0.contains(dataDirectory.path) }.map(\.pid)
        for pid in consultations + pids.reversed() { Glibc.kill(pid, SIGKILL) }
    }

    // MARK: - Clients

    /// `ssh` to this server as ``user``: with the test's key, or (``Login/emptyPassword``) with
    /// none at all. No configuration file is read (`-F /dev/null`): nothing of the machine's.
    func sshCommand(_ options: [String] = [], command: [String] = []) -> [String] {
        SSHClient.command(port: port, clientOptions + options, user: user, command: command)
    }

    /// The client options of ``sshCommand(_:command:)`` (for `sftp` too): no host key check, no
    /// prompt (BatchMode), the test's key or none.
    var clientOptions: [String] {
        let authentication =
            login == .key
            ? ["-i", clientKey.path, "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none"]
            : ["-o", "PubkeyAuthentication=no", "-o", "IdentityAgent=none"]
        return ["-F", "/dev/null"] + SSHClient.unknownHostKey + ["-o", "BatchMode=yes", "-o", "ConnectTimeout=20"]
            + authentication
    }

    // MARK: - Helpers

    /// Whether any user may read and execute (or list) `path` and search every directory above it.
    static func readableByOthers(_ path: String) -> Bool {
        var url = URL(fileURLWithPath: path).resolvingSymlinksInPath()
        var leaf = true
        while url.path != "/" {
            var info = stat()
            guard stat(url.path, &info) == 0 else { return false }
            let needed: mode_t = leaf ? S_IROTH | S_IXOTH : S_IXOTH
            if info.st_mode & needed != needed { return false }
            leaf = false
            url.deleteLastPathComponent()
        }
        return true
    }
}
