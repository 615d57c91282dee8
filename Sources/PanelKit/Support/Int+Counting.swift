extension Int {
    /// The count with its noun, singular for 1: `1.counting("item")` is "1 item", `3.counting("item")` is
    /// "3 items". Regular plurals only; a noun phrase pluralises its last word ("2 other errors").
    public func counting(_ noun: String) -> String { self == 1 ? "1 \(noun)" : "\(self) \(noun)s" }
}
