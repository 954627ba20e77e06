import Crypto
import Foundation
import NIOCore
import NIOSSH

/// The server's ed25519 host key: generated once at its path (mode 0600, the 32-byte raw private
/// key) and read again on every start, so that clients' known_hosts stay valid. The public key is
/// written beside it (`PATH.pub`, OpenSSH format) for publishing to applicants.
public struct HostKey: Sendable {
    public let privateKey: NIOSSHPrivateKey
    /// "ssh-ed25519 AAAA…", as in known_hosts.
    public let openSSHPublicKey: String
    /// "SHA256:…", as `ssh-keygen -lf` and an SSH client's first-connection prompt show it.
    public let fingerprint: String
    /// Whether this start generated the key.
    public let created: Bool

    public static func loadOrCreate(at path: String) throws -> HostKey {
        let manager = FileManager.default
        if manager.fileExists(atPath: path) {
            let attributes = try manager.attributesOfItem(atPath: path)
            let mode = (attributes[.posixPermissions] as? Int) ?? 0
            guard mode & 0o077 == 0 else {
                throw ConfigurationError(
                    "\(path): the host key can be read by others (mode \(String(mode, radix: 8))); chmod 600 it")
            }
            guard let data = manager.contents(atPath: path) else {
                throw ConfigurationError("\(path): cannot read the host key")
            }
            guard data.count == 32, let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: data) else {
                throw ConfigurationError(
                    "\(path): expected a 32-byte raw ed25519 private key written by consult-sshd, found \(data.count) bytes"
                )
            }
            return HostKey(key, created: false)
        }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try manager.createDirectory(
                atPath: directory, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
        }
        let key = Curve25519.Signing.PrivateKey()
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw ConfigurationError("\(path): cannot create the host key: \(String(cString: strerror(errno)))")
        }
        let raw = key.rawRepresentation
        let written = raw.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == raw.count, synced else {
            unlink(path)
            throw ConfigurationError("\(path): cannot write the host key")
        }
        let hostKey = HostKey(key, created: true)
        try? (hostKey.openSSHPublicKey + " consult-sshd\n").write(
            toFile: path + ".pub", atomically: true, encoding: .utf8)
        return hostKey
    }

    private init(_ key: Curve25519.Signing.PrivateKey, created: Bool) {
        privateKey = NIOSSHPrivateKey(ed25519Key: key)
        openSSHPublicKey = String(openSSHPublicKey: privateKey.publicKey)
        fingerprint = Self.fingerprint(of: privateKey.publicKey)
        self.created = created
    }

    /// OpenSSH's fingerprint: SHA-256 of the key's wire form, base64 without padding.
    public static func fingerprint(of key: NIOSSHPublicKey) -> String {
        let text = String(openSSHPublicKey: key)
        let parts = text.split(separator: " ")
        guard parts.count >= 2, let blob = Data(base64Encoded: String(parts[1])) else { return "?" }
        let digest = Data(SHA256.hash(data: blob)).base64EncodedString()
        return "SHA256:" + digest.replacingOccurrences(of: "=", with: "")
    }
}
