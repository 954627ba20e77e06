import ArgumentParser

@main
struct Consult: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "consult", abstract: "placeholder")
    func run() throws {}
}
