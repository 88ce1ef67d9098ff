@preconcurrency import Glibc
import HFTKit

/// One JSON object per line on stdout, flushed per line; human messages on stderr.
enum Output {
    static func configureLineBuffering() {
        setvbuf(stdout, nil, _IOLBF, 0)
    }

    static func line(_ object: [String: JSONText]) {
        print(JSONText.object(object.sorted { $0.key < $1.key }).rendered)
    }

    static func line(ordered object: [(String, JSONText)]) {
        print(JSONText.object(object).rendered)
    }

    static func flush() { fflush(stdout) }

    static var isTerminal: Bool { isatty(STDOUT_FILENO) != 0 }

    static func human(_ text: String) {
        fputs(text + "\n", stderr)
    }
}
