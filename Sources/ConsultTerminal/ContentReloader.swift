import ConsultContent
import Crypto
import Foundation

extension ContentLocation {
    /// A hash of every dialog and locale file (names and bytes), so that a lawyer knows which
    /// content a consultation used and a long-running front end knows when to load it again.
    public func contentHash() -> String {
        var hasher = SHA256()
        for folder in [dialogs, locales] {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
                .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
            for name in names {
                hasher.update(data: Data((folder.lastPathComponent + "/" + name + "\n").utf8))
                hasher.update(
                    data: FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) ?? Data())
            }
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}

/// The content a long-running front end (the kiosk) serves: loaded again between consultations
/// when a file changed, so that an edit takes effect at the next consultation. An edit that does
/// not load (an error, a file others could change) is not served: the last good content stays.
public final class ContentReloader {
    public let location: ContentLocation
    /// The content being served and the hash of the files it was loaded from.
    public private(set) var content: Content
    public private(set) var hash: String
    /// The hash of files that failed to load, so the same failure is reported once.
    private var rejectedHash: String?

    /// What ``refresh()`` did.
    public enum Change: Equatable {
        /// No file changed since the last load (or the same broken edit is still there).
        case unchanged
        /// The files changed and loaded: ``content`` is the new content.
        case reloaded(hash: String)
        /// The files changed but cannot be served; ``content`` is still the last good one.
        case rejected(hash: String, problems: String)
    }

    public init(location: ContentLocation, content: Content, hash: String) {
        self.location = location
        self.content = content
        self.hash = hash
    }

    /// Loads the content again if any file changed since the last load.
    public func refresh() -> Change {
        let now = location.contentHash()
        guard now != hash, now != rejectedHash else { return .unchanged }
        do {
            try location.checkOnlyOwnerCanChange()
            let loaded = try Content.load(dialogs: location.dialogs, locales: location.locales)
            // Files still being written while they were read: try again next time.
            guard location.contentHash() == now else { return .unchanged }
            content = loaded
            hash = now
            rejectedHash = nil
            return .reloaded(hash: now)
        } catch let error as ContentLocation.Unsafe {
            rejectedHash = now
            return .rejected(hash: now, problems: error.description)
        } catch let error as Content.Invalid {
            rejectedHash = now
            return .rejected(hash: now, problems: error.description)
        } catch {
            rejectedHash = now
            return .rejected(hash: now, problems: "\(error)")
        }
    }
}
