/// A workflow or task id as a database row carries it. UUIDs (with or without dashes, any case) are
/// one value and print as a lowercase UUID with dashes; anything else is matched exactly.
package struct BusinessID: Hashable, Sendable, CustomStringConvertible {
    package enum Kind: Sendable { case workflow, task }

    package let kind: Kind
    package let key: IDKey
    package let canonical: String

    package init?(_ kind: Kind, _ text: some StringProtocol) {
        let utf8 = Array(text.utf8)
        self.kind = kind
        if let (high, low) = HexID.parse128(utf8[...]), high != 0 || low != 0 {
            self.key = IDKey(kind: kind == .workflow ? .workflow : .task, high: high, low: low)
            self.canonical = HexID.uuidString(high: high, low: low)
            return
        }
        guard HexID.isOpaqueID(utf8[...]) else { return nil }
        self.key = IDKey(kind: kind == .workflow ? .workflowOpaque : .taskOpaque, text: String(text))
        self.canonical = String(text)
    }

    package init?(key: IDKey) {
        switch key.kind {
        case .workflow, .task:
            self.kind = key.kind == .workflow ? .workflow : .task
            self.key = key
            self.canonical = HexID.uuidString(high: key.high, low: key.low)
        case .workflowOpaque, .taskOpaque:
            self.kind = key.kind == .workflowOpaque ? .workflow : .task
            self.key = key
            self.canonical = key.text ?? ""
        default:
            return nil
        }
    }

    package var description: String { canonical }
}
