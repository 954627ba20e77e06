import Logging
import NIOCore
import NIOSSH

/// Decides each authentication request of one connection, and logs it (never a password).
/// Called on the connection's event loop; `onSuccess` tells the connection it is authenticated
/// (NIOSSH raises no event for that on the server side).
final class Authenticator: NIOSSHServerUserAuthenticationDelegate {
    let mode: AuthenticationMode
    let passwords: [String: String]
    let keys: [NIOSSHPublicKey]
    let logger: Logger
    let onSuccess: () -> Void

    init(configuration: ServerConfiguration, logger: Logger, onSuccess: @escaping () -> Void) {
        mode = configuration.authentication
        passwords = configuration.passwords
        keys = configuration.authorizedKeys
        self.logger = logger
        self.onSuccess = onSuccess
    }

    var supportedAuthenticationMethods: NIOSSHAvailableUserAuthenticationMethods {
        switch mode {
        case .open: [.password, .publicKey]
        case .password: .password
        case .keys: .publicKey
        }
    }

    func requestReceived(
        request: NIOSSHUserAuthenticationRequest,
        responsePromise: EventLoopPromise<NIOSSHUserAuthenticationOutcome>
    ) {
        let method: String
        let accepted: Bool
        var metadata: Logger.Metadata = ["user": "\(request.username.debugDescription)"]
        switch (mode, request.request) {
        case (.open, .none), (.open, .password), (.open, .publicKey):
            method = Self.name(of: request.request)
            accepted = true
        case (.password, .password(let offer)):
            method = "password"
            accepted = passwords[request.username].map { Credentials.constantTimeEqual($0, offer.password) } ?? false
        case (.keys, .publicKey(let offer)):
            method = "publickey"
            // NIOSSH calls this only once the signature over the session is verified.
            accepted = keys.contains(offer.publicKey)
            metadata["key"] = "\(HostKey.fingerprint(of: offer.publicKey))"
        default:
            method = Self.name(of: request.request)
            accepted = false
        }
        metadata["method"] = "\(method)"
        // A client probes with "none" first: that is not a failed attempt worth a warning.
        if accepted {
            logger.info("authenticated", metadata: metadata)
        } else if method == "none" {
            logger.debug("authentication methods asked for", metadata: metadata)
        } else {
            logger.notice("authentication failed", metadata: metadata)
        }
        if accepted { onSuccess() }
        responsePromise.succeed(accepted ? .success : .failure)
    }

    private static func name(of request: NIOSSHUserAuthenticationRequest.Request) -> String {
        switch request {
        case .none: "none"
        case .password: "password"
        case .publicKey: "publickey"
        case .hostBased: "hostbased"
        }
    }
}
