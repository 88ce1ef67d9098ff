import HFTCore

/// Which accounts' private events anyone listens to (events nobody wants are not built).
struct PrivateInterest: Sendable {
    var all = 0
    var accounts: [Int: Int] = [:]
    var publicData = 0

    func wants(_ account: Int) -> Bool { all > 0 || accounts[account] != nil }
}

/// What one exchange operation produced, collected while the state is locked.
struct OpContext {
    let now: Timestamp
    let interest: PrivateInterest
    var events: [SimEvent] = []
    /// False for synthetic flow, whose callers need no reply.
    let collectsReplies: Bool
    /// Fills of the order the caller placed or amended (for replies such as Binance `FULL`).
    private(set) var collectFillsFor: SimOrderID?
    var collectedFills: [FillEvent] = []

    init(now: Timestamp, interest: PrivateInterest, collectsReplies: Bool = true) {
        self.now = now
        self.interest = interest
        self.collectsReplies = collectsReplies
    }

    mutating func collectFills(for id: SimOrderID) {
        if collectsReplies { collectFillsFor = id }
    }

    var wantsPublic: Bool { interest.publicData > 0 }
}
