import ArgumentParser
import ConsultContent
import ConsultEngine
import ConsultRecords
import ConsultStaff
import Foundation

extension Consult {
    struct Appointments: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read the appointment requests applicants have sent.",
            subcommands: [List.self, Show.self])

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "One line per request, urgent ones first (marked), each group newest first: reference, created (Moscow time), channel, language, name, outcomes.")

            @OptionGroup var data: DataOptions
            @OptionGroup var staff: StaffLanguageOptions
            @OptionGroup var content: ContentOptions

            func run() throws {
                let view = try staff.view(try content.load())
                // Urgent requests first (each group newest first): they are the ones to call back today.
                let requests = AppointmentRequest.all(in: data.directory).enumerated()
                    .sorted { ($0.element.urgent ? 0 : 1, $0.offset) < ($1.element.urgent ? 0 : 1, $1.offset) }
                    .map(\.element)
                for request in requests {
                    print(view.appointmentLine(request))
                }
                if requests.isEmpty { printError(view.text("staff.no_appointments")) }
            }
        }

        struct Show: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "An appointment request in the chosen language: applicant, preferences, question, outcomes, open points and facts.")

            @Argument(help: "The request's reference, e.g. K7M2-Q9P2.")
            var reference: String

            @OptionGroup var staff: StaffLanguageOptions
            @OptionGroup var data: DataOptions
            @OptionGroup var content: ContentOptions

            func run() throws {
                let folder = data.directory.appointments
                guard let url = recordFile(reference, in: folder, extension: "json") else {
                    printError(staff.message(content, "staff.appointment_not_found", ["reference": reference, "dir": folder.path],
                                             else: "There is no appointment request \(SafeText.escape(reference)) in \(SafeText.escape(folder.path))."))
                    throw ExitCode(1)
                }
                let object: [String: UntypedJSON]
                let request: AppointmentRequest
                do throws(RecordError) {
                    guard let data = FileManager.default.contents(atPath: url.path) else { throw RecordError.unreadable("it cannot be read") }
                    (object, request) = try AppointmentRequest.read(data)
                } catch {
                    printError("\(SafeText.escape(url.path)): \(SafeText.escape(error.reason))")
                    throw ExitCode(1)
                }
                let reference = url.deletingPathExtension().lastPathComponent
                let problem = AppointmentRequest.problem(with: object, reference: reference, in: self.data.directory)
                let view = try staff.view(try content.load())
                print(view.appointment(request, problem: problem), terminator: "")
                if let problem {
                    printError(view.text("staff.appointment", ["reference": reference]) + ": "
                               + view.text("staff.request_altered", ["reason": problem]))
                    throw ExitCode(1)
                }
            }
        }
    }
}
