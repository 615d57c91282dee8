/// Finds the intended word behind a typo, for "did you mean …?" hints.
public enum SpellingSuggestion {
    /// The candidate closest to `word`, or `nil` when none is close enough to be a plausible typo.
    ///
    /// An unambiguous prefix of at least three characters wins (`--temp` → `--temperature`).
    /// Otherwise a candidate qualifies when its edit distance is at most `maxDistance` and smaller
    /// than the length of `word` without leading dashes (so `--ab` does not "correct" to `--xy`).
    /// Ties go to the earlier candidate, so list candidates in the order users should see them.
    public static func closest(to word: String, among candidates: [String], maxDistance: Int = 2) -> String? {
        let core = word.drop { $0 == "-" }
        let extensions = candidates.filter { $0.hasPrefix(word) && $0 != word }
        if core.count >= 3, extensions.count == 1 { return extensions[0] }
        var best: (candidate: String, distance: Int)?
        for candidate in candidates where candidate != word {
            let distance = editDistance(word, candidate)
            if distance <= maxDistance, distance < core.count, distance < (best?.distance ?? .max) {
                best = (candidate, distance)
            }
        }
        return best?.candidate
    }

    /// The Levenshtein distance: the fewest single-character insertions, deletions and
    /// substitutions that turn `source` into `target`.
    public static func editDistance(_ source: String, _ target: String) -> Int {
        let source = Array(source), target = Array(target)
        if source.isEmpty { return target.count }
        if target.isEmpty { return source.count }
        // Two rows of the dynamic-programming matrix are enough; option names are short.
        var previous = Array(0...target.count)
        var current = [Int](repeating: 0, count: target.count + 1)
        for i in 1...source.count {
            current[0] = i
            for j in 1...target.count {
                let substitution = previous[j - 1] + (source[i - 1] == target[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[target.count]
    }
}
