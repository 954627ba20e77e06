import Crypto
import Foundation
import NIOSSH

/// Reading the files behind `password` and `keys` authentication.
public enum Credentials {
    /// A password file: `user:password` a line, `#` comments; it must not be readable by others.
    public static func passwords(at path: String) throws -> [String: String] {
        let text = try secretFile(at: path, what: "password file")
        var passwords: [String: String] = [:]
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard let colon = trimmed.firstIndex(of: ":"), colon != trimmed.startIndex,
                trimmed.index(after: colon) != trimmed.endIndex
            else {
                throw ConfigurationError("\(path):\(index + 1):1: expected user:password")
            }
            let user = String(trimmed[..<colon])
            guard passwords[user] == nil else {
                throw ConfigurationError("\(path):\(index + 1):1: the user '\(user)' is listed twice")
            }
            passwords[user] = String(trimmed[trimmed.index(after: colon)...])
        }
        guard !passwords.isEmpty else { throw ConfigurationError("\(path): no user:password line") }
        return passwords
    }

    /// An OpenSSH authorized_keys file. ed25519 and ECDSA keys are taken; an RSA key or a line
    /// with options is an error that names the line (the server would refuse such a key anyway).
    public static func authorizedKeys(at path: String) throws -> [NIOSSHPublicKey] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError("\(path): cannot read the authorized keys: \(error.localizedDescription)")
        }
        var keys: [NIOSSHPublicKey] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let place = "\(path):\(index + 1):1"
            let type = trimmed.split(separator: " ").first.map(String.init) ?? ""
            if type == "ssh-rsa" {
                throw ConfigurationError(
                    "\(place): RSA keys are not supported; expected an ssh-ed25519 or ecdsa-sha2-nistp256/384/521 key")
            }
            guard type == "ssh-ed25519" || type.hasPrefix("ecdsa-sha2-nistp") else {
                throw ConfigurationError(
                    "\(place): expected a key type (ssh-ed25519, ecdsa-sha2-nistp256/384/521) at the start of the line, found '\(type.prefix(40))' (key options are not supported)"
                )
            }
            do {
                keys.append(try NIOSSHPublicKey(openSSHPublicKey: trimmed))
            } catch {
                throw ConfigurationError("\(place): not a valid \(type) public key")
            }
        }
        guard !keys.isEmpty else { throw ConfigurationError("\(path): no key in the file") }
        return keys
    }

    private static func secretFile(at path: String, what: String) throws -> String {
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
        } catch {
            throw ConfigurationError("\(path): cannot read the \(what): \(error.localizedDescription)")
        }
        let mode = (attributes[.posixPermissions] as? Int) ?? 0
        guard mode & 0o077 == 0 else {
            throw ConfigurationError(
                "\(path): the \(what) can be read by others (mode \(String(mode, radix: 8))); chmod 600 it")
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else {
            throw ConfigurationError("\(path): the \(what) is not UTF-8 text")
        }
        return text
    }

    /// Compares two secrets in a time that does not depend on where they differ.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(SHA256.hash(data: Data(a.utf8)))
        let y = Array(SHA256.hash(data: Data(b.utf8)))
        var difference: UInt8 = 0
        for i in 0..<x.count { difference |= x[i] ^ y[i] }
        return difference == 0
    }
}
