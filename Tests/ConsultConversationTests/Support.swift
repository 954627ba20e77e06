import ConsultContent
import ConsultConversation
import ConsultEngine
import Foundation

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let content = try! Content.load(dialogs: root.appendingPathComponent("dialogs"), locales: root.appendingPathComponent("locales"))
