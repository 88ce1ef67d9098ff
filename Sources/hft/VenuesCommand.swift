import ArgumentParser
import HFTKit

struct VenuesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "venues",
        abstract: "List every venue: endpoint names with default URLs, tuning knobs with defaults, channels."
    )

    @Flag(help: "Print one JSON array (the default output is one JSON object per venue per line).")
    var json = false

    func run() {
        let items = VenueCatalog.descriptors.map(\.json)
        if json {
            print(JSONText.array(items).rendered)
        } else {
            for item in items { print(item.rendered) }
        }
    }
}
