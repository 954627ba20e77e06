import ArgumentParser
import ConsultContent
import ConsultEngine
import ConsultRecords
import ConsultStaff
import ConsultStore
import Foundation

extension Consult {
    struct Appointments: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "appointments",
            abstract: "Read the appointment requests applicants have sent.",
            subcommands: [List.self, Show.self])

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "list",
                abstract:
                    "One line per request, urgent ones first (marked), each group newest first: reference, created (Moscow time), channel, language, name, outcomes."
            )

            @Option(help: ArgumentHelp("Only requests made on or after this day, YYYY-MM-DD.", valueName: "date"))
            var since: DateArgument?

            @Option(help: ArgumentHelp("Only requests made at this office (as --office named it).", valueName: "name"))
            var fromOffice: String?

            @Flag(help: "Only urgent requests.")
            var urgent = false

            @OptionGroup var data: DataOptions
            @OptionGroup var records: StoreOptions
            @OptionGroup var staff: StaffLanguageOptions
            @OptionGroup var content: ContentOptions
            @OptionGroup var keys: KeyOptions

            func run() throws {
                let view = try staff.view(try content.load())
                // Urgent requests first (each group newest first): they are the ones to call back today.
                let opening = try keys.keys()
                let store = try records.openForReading(data.directory)
                // A sealed request is urgent or not only once opened: with an identity, urgency is checked here.
                let documents = try stored {
                    try store?.appointments(
                        since: since?.date.description, office: fromOffice,
                        urgent: urgent && opening.identities.isEmpty ? true : nil) ?? []
                }
                // A sealed request no identity given opens cannot say whether it is urgent: it comes after.
                func rank(_ request: StoredRequest) -> Int {
                    if case .open(let r) = request { return r.urgent ? 0 : 1 }
                    return 2
                }
                let requests = documents.compactMap {
                    try? AppointmentRequest.load(Data($0.document), keys: opening).request
                }
                .filter { request in
                    guard urgent else { return true }
                    if case .open(let r) = request { return r.urgent }
                    return false
                }
                .enumerated()
                .sorted { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }
                .map(\.element)
                for request in requests {
                    switch request {
                    case .open(let request): print(view.appointmentLine(request))
                    case .sealed(let sealed): print(view.sealedAppointmentLine(sealed))
                    }
                }
                if requests.isEmpty { printError(view.text("staff.no_appointments")) }
            }
        }

        struct Show: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "show",
                abstract:
                    "An appointment request in the chosen language: applicant, preferences, question, outcomes, open points and facts."
            )

            @Argument(help: "The request's reference, e.g. K7M2-Q9P2.")
            var reference: String

            @OptionGroup var staff: StaffLanguageOptions
            @OptionGroup var data: DataOptions
            @OptionGroup var records: StoreOptions
            @OptionGroup var content: ContentOptions
            @OptionGroup var keys: KeyOptions

            func run() throws {
                let opening = try keys.keys()
                let (store, conflicts) = try records.openForChecking(data.directory)
                var base = reference
                if base.hasSuffix(".json") { base.removeLast(5) }
                var found: (reference: String, document: [UInt8])?
                if let store, !base.isEmpty, !base.unicodeScalars.contains(where: SafeText.isUnsafe) {
                    for candidate in [base, base.uppercased()] where found == nil {
                        found = try stored { try store.appointment(candidate) }.map { (candidate, $0) }
                    }
                }
                guard let store, let found else {
                    let place = store?.name ?? data.directory.appointments.path
                    printError(
                        staff.message(
                            content, "staff.appointment_not_found", ["reference": reference, "dir": place],
                            else:
                                "There is no appointment request \(SafeText.escape(reference)) in \(SafeText.escape(place))."
                        ))
                    throw ExitCode(1)
                }
                let object: [String: UntypedJSON]
                let request: StoredRequest
                do throws(RecordError) {
                    (object, request) = try AppointmentRequest.load(Data(found.document), keys: opening)
                } catch {
                    printError("\(SafeText.escape(found.reference)): \(SafeText.escape(error.reason))")
                    throw ExitCode(1)
                }
                let reference = found.reference
                // A copy in the data directory that is not the one stored: one of them was altered.
                let conflict = conflicts.first { $0.name == reference && $0.line == nil }?.reason
                let problem =
                    try conflict
                    ?? stored { () throws(StoreError) -> String? in
                        var failure: StoreError?
                        let problem = AppointmentRequest.problem(with: object, reference: reference, keys: opening) {
                            id in
                            do throws(StoreError) { return try store.read(transcript: id)?.events } catch {
                                failure = error
                                return nil
                            }
                        }
                        if let failure { throw failure }
                        return problem
                    }
                let view = try staff.view(try content.load())
                switch request {
                case .open(let request): print(view.appointment(request, problem: problem), terminator: "")
                case .sealed(let sealed): print(view.sealedAppointment(sealed), terminator: "")
                }
                if let problem {
                    printError(
                        view.text("staff.appointment", ["reference": reference]) + ": "
                            + view.text("staff.request_altered", ["reason": problem]))
                    throw ExitCode(1)
                }
            }
        }
    }
}
