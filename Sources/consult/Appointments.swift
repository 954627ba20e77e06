import ArgumentParser
import ConsultContent
import ConsultEngine
import ConsultRecords
import ConsultStaff
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

            @OptionGroup var data: DataOptions
            @OptionGroup var staff: StaffLanguageOptions
            @OptionGroup var content: ContentOptions
            @OptionGroup var keys: KeyOptions

            func run() throws {
                let view = try staff.view(try content.load())
                // Urgent requests first (each group newest first): they are the ones to call back today.
                // A sealed request no identity given opens cannot say whether it is urgent: it comes after.
                func rank(_ request: StoredRequest) -> Int {
                    if case .open(let r) = request { return r.urgent ? 0 : 1 }
                    return 2
                }
                let requests = AppointmentRequest.all(in: data.directory, keys: try keys.keys()).enumerated()
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
            @OptionGroup var content: ContentOptions
            @OptionGroup var keys: KeyOptions

            func run() throws {
                let opening = try keys.keys()
                let folder = data.directory.appointments
                guard let url = recordFile(reference, in: folder, extension: "json") else {
                    printError(
                        staff.message(
                            content, "staff.appointment_not_found", ["reference": reference, "dir": folder.path],
                            else:
                                "There is no appointment request \(SafeText.escape(reference)) in \(SafeText.escape(folder.path))."
                        ))
                    throw ExitCode(1)
                }
                let object: [String: UntypedJSON]
                let stored: StoredRequest
                do throws(RecordError) {
                    guard let data = FileManager.default.contents(atPath: url.path) else {
                        throw RecordError.unreadable("it cannot be read")
                    }
                    (object, stored) = try AppointmentRequest.load(data, keys: opening)
                } catch {
                    printError("\(SafeText.escape(url.path)): \(SafeText.escape(error.reason))")
                    throw ExitCode(1)
                }
                let reference = url.deletingPathExtension().lastPathComponent
                let problem = AppointmentRequest.problem(
                    with: object, reference: reference, in: self.data.directory, keys: opening)
                let view = try staff.view(try content.load())
                switch stored {
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
