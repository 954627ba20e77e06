import ConsultEngine
import ConsultLocalization

/// The checks between the dialogs and the locales, one function per rule (`TranslationRule`).
struct CrossCheck {
    let loaded: LoadedDialogs
    let catalogs: [Catalog]
    let localizer: Localizer
    var diagnostics: [Diagnostic]

    /// A message key the program or the dialogs use: the placeholders allowed in it (nil: any),
    /// and the place that names it (nil: the program).
    struct Need {
        let allowed: Set<String>?
        let location: SourceLocation?
    }

    init(loaded: LoadedDialogs, catalogs: [Catalog], diagnostics: [Diagnostic]) {
        self.loaded = loaded
        self.catalogs = catalogs
        self.localizer = Localizer(catalogs: catalogs)
        self.diagnostics = diagnostics
    }

    mutating func report(_ location: SourceLocation, _ problem: TranslationProblem) {
        diagnostics.append(Diagnostic(location, problem))
    }

    mutating func run() {
        guard let english = catalogs.first(where: { $0.language == localizer.fallback }) else {
            if !catalogs.isEmpty {
                report(SourceLocation(file: catalogs[0].file, line: 1, column: 1), .noFallback)
            }
            return
        }
        let required = requiredKeys()
        for (key, need) in required.sorted(by: { $0.key < $1.key }) {
            checkPresent(key, need, english: english)
            if let allowed = need.allowed { checkPlaceholdersGiven(key, allowed: allowed) }
        }
        let used = checkInsertsAndCollectUsed(Set(required.keys))
        // Each English text's short hash once, not once per language that translates it.
        let englishHashes = english.texts.mapValues(TranslationSource.hash)
        for catalog in catalogs {
            checkUsed(catalog, used: used)
            for (key, message) in catalog.messages.sorted(by: { $0.key < $1.key }) {
                checkSamePlaceholders(key, message, in: catalog, english: english)
                checkPluralCategories(key, message, in: catalog)
            }
            if catalog.language != english.language {
                checkTranslatedFromCurrentEnglish(catalog, english: english, hashes: englishHashes)
            }
        }
    }

    func location(_ catalog: Catalog, _ key: MessageKey) -> SourceLocation {
        catalog.locations[key] ?? SourceLocation(file: catalog.file, line: 1, column: 1)
    }

    /// Every key the program or the dialogs use, with the placeholders allowed in it.
    func requiredKeys() -> [MessageKey: Need] {
        var required: [MessageKey: Need] = [:]
        let facts = loaded.factTypes
        let factNames = Set(facts.keys).union(["today"])
        for reference in loaded.references where required[reference.key] == nil {
            let allowed: Set<String>?
            switch reference.scope {
            case .facts: allowed = factNames
            case .none: allowed = []
            case .item(let group):
                if case .list(let record)? = facts[group] {
                    allowed = Set(record.fields.map(\.name))
                } else {
                    allowed = nil
                }
            }
            required[reference.key] = Need(allowed: allowed, location: reference.location)
        }
        for (key, args) in SystemMessages.keys { required[key] = Need(allowed: Set(args), location: nil) }
        for fact in loaded.factTypes.keys { required[SystemMessages.factName(fact)] = Need(allowed: [], location: nil) }
        for outcome in loaded.outcomeIDs {
            required[SystemMessages.outcomeTitle(outcome)] = Need(allowed: [], location: nil)
        }

        // A message may have a version for the lawyer (KEY.lawyer: the open points addressed to the
        // lawyer, not to the applicant): used when any locale has it, then needed in every locale.
        for (key, need) in required {
            let lawyer = StaffAudience.lawyerKey(key)
            if required[lawyer] == nil, catalogs.contains(where: { $0.locations[lawyer] != nil }) {
                required[lawyer] = need
            }
        }
        return required
    }

    /// `missing-key`: a message used is in every locale.
    mutating func checkPresent(_ key: MessageKey, _ need: Need, english: Catalog) {
        let missingIn = catalogs.filter { $0.messages[key] == nil && $0.locations[key] == nil }
        if missingIn.count == catalogs.count {
            report(need.location ?? SourceLocation(file: english.file, line: 1, column: 1), .missingEverywhere(key))
        } else {
            for catalog in missingIn {
                report(
                    need.location ?? SourceLocation(file: catalog.file, line: 1, column: 1),
                    .missingIn(key, file: catalog.file))
            }
        }
    }

    /// `unknown-placeholder`: a message uses only the placeholders it is given.
    mutating func checkPlaceholdersGiven(_ key: MessageKey, allowed: Set<String>) {
        for catalog in catalogs {
            guard let message = catalog.messages[key] else { continue }
            for name in message.placeholders where !allowed.contains(name) {
                report(
                    location(catalog, key),
                    .unknownPlaceholder(key, placeholder: name, suggestion: closest(to: name, in: Array(allowed))))
            }
        }
    }

    /// `missing-key`: a message inserted by another (`{@office.phone}`) exists. Returns the keys
    /// used, inserted ones included.
    mutating func checkInsertsAndCollectUsed(_ required: Set<MessageKey>) -> Set<MessageKey> {
        var used = required
        var queue = Array(used)
        while let key = queue.popLast() {
            for catalog in catalogs {
                for include in catalog.messages[key]?.includes ?? [] {
                    let k = MessageKey(include)
                    if catalog.messages[k] == nil && catalog.locations[k] == nil {
                        report(location(catalog, key), .missingInsert(key, inserts: include, file: catalog.file))
                    }
                    if used.insert(k).inserted { queue.append(k) }
                }
            }
        }
        return used
    }

    /// `unused-key`: every message of a locale is used.
    mutating func checkUsed(_ catalog: Catalog, used: Set<MessageKey>) {
        for key in catalog.locations.keys.sorted() where !used.contains(key) {
            report(location(catalog, key), .unusedKey(key))
        }
    }

    /// `placeholder-mismatch`: a translation has the placeholders of the English message.
    mutating func checkSamePlaceholders(
        _ key: MessageKey, _ message: MessageFormat, in catalog: Catalog, english: Catalog
    ) {
        guard catalog.language != english.language, let reference = english.messages[key],
            Set(reference.placeholders) != Set(message.placeholders)
        else { return }
        report(
            location(catalog, key),
            .placeholderMismatch(
                key, found: message.placeholders, englishFile: english.file,
                english: reference.placeholders))
    }

    /// `plural-missing`, `plural-extra`: a plural has the categories of its language.
    mutating func checkPluralCategories(_ key: MessageKey, _ message: MessageFormat, in catalog: Catalog) {
        let categories = Set(catalog.plurals.categories)
        for plural in message.plurals {
            let missing = categories.subtracting(plural.categories)
            if !missing.isEmpty {
                report(
                    location(catalog, key),
                    .pluralMissing(key, plural: plural.name, categories: Array(missing), language: catalog.name))
            }
            let extra = plural.categories.filter { !categories.contains($0) && !$0.hasPrefix("=") }
            if !extra.isEmpty {
                report(
                    location(catalog, key),
                    .pluralExtra(key, plural: plural.name, categories: Array(extra), language: catalog.name))
            }
        }
    }

    /// `stale-translation`, `missing-source`, `orphan-source`: every translated message records the
    /// English it was made from, and that English is the English there is now.
    /// - Parameter hashes: the short hash of each English text (`TranslationSource.hash`).
    mutating func checkTranslatedFromCurrentEnglish(_ catalog: Catalog, english: Catalog, hashes: [MessageKey: String])
    {
        for key in catalog.locations.keys.sorted() where english.locations[key] != nil {
            switch catalog.freshness(of: key, englishHash: hashes[key]) {
            case .stale(let source):
                report(
                    location(catalog, key), .staleTranslation(key, was: source.english, now: english.texts[key] ?? ""))
            case .unrecorded:
                report(location(catalog, key), .missingSource(key))
            case .current, .missing:
                break
            }
        }
        for (key, source) in catalog.sources.sorted(by: { $0.key < $1.key }) where catalog.locations[key] == nil {
            report(source.location, .orphanSource(key))
        }
    }
}
