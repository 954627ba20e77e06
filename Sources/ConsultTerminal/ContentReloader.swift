import ConsultContent
import Foundation

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

    /// Where checked content is kept between runs (nil: none): a reload of content the cache
    /// holds (an edit undone, another kiosk's) is not checked again.
    public let cache: ContentCache?
    /// What the cache did at the last reload, for the staff log.
    public private(set) var cacheOutcome: ContentCache.Outcome?

    public init(location: ContentLocation, content: Content, hash: String, cache: ContentCache? = nil) {
        self.location = location
        self.content = content
        self.hash = hash
        self.cache = cache
    }

    /// Loads the content again if any file changed since the last load.
    public func refresh() -> Change {
        let files = ContentFiles(location)
        let now = files.hash
        guard now != hash, now != rejectedHash else { return .unchanged }
        cacheOutcome = nil
        do {
            try location.checkOnlyOwnerCanChange()
            let loaded: Content
            if let cache {
                let (content, outcome) = try cache.load(files)
                loaded = content
                cacheOutcome = outcome
            } else {
                loaded = try Content.load(files)
            }
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
