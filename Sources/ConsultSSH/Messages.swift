import ConsultContent
import ConsultEngine
import ConsultLocalization
import Foundation

/// What the server itself says to a client (no consultation running to say it): the locale
/// files' `ssh.*` messages, in the client's language when its environment names one, else in
/// every language, one after the other. Lines end in CR LF: no terminal translates them.
public struct ServerMessages: Sendable {
    public let content: Content

    public init(content: Content) {
        self.content = content
    }

    func text(_ key: MessageKey, _ arguments: [String: Argument] = [:], environment: [String: String]) -> String {
        let named = ["LC_ALL", "LC_MESSAGES", "LANG"].compactMap { environment[$0] }.first { !$0.isEmpty }
        let languages: [String]
        if let named, content.localizer.hasLanguage(String(named.prefix(2))) {
            languages = [String(named.prefix(2))]
        } else {
            languages = content.localizer.languages
        }
        let text = languages.map { Presenter(content: content, language: $0).text(key, arguments) }
            .joined(separator: "\n")
        return text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n") + "\r\n"
    }
}
