/// Parameter similarity and group diversity of LoRA adapters, after Yang et al. 2024 (arXiv 2408.15915, Eq. 6).
///
/// The paper picks experts whose LoRA weights differ: `Ω(B_N) = (mean over pairs of cos(E(m_i), E(m_j)))⁻¹`, where
/// `E(m)` are the flattened weight matrices and the cosine is taken matrix by matrix and averaged.
///
/// - **Matrices**: the LoRA factors themselves, `lora_a` against `lora_a` and `lora_b` against `lora_b`, each
///   flattened, not the product `ΔW = B·A`. This matches the paper's code (ROCKET `group_diversity.py`), which
///   iterates over the PEFT state dict, whose entries are the separate `lora_A` and `lora_B` weights. Only factors
///   present in both adapters under the same name and with the same shape count; different ranks or target modules
///   leave nothing comparable (`LoRAError.noSharedMatrices`).
/// - **Averaging**: every shared matrix weighs the same, whatever its size, as in the paper.
/// - **Sign**: by default the absolute cosine of each matrix is used, as ROCKET does. Independently trained factors
///   have near-zero cosines of either sign; averaging signed values would let them cancel and make two related
///   adapters look unrelated, and a mean ≤ 0 would make the inverse meaningless. Set `absoluteCosine` to false for
///   the signed average.
/// - **Zero matrices** (e.g. an untrained `lora_b`, which PEFT initialises to zero) have cosine 0 with everything.
public struct LoRADiversity: Sendable, Hashable {
    /// The floor applied to the mean similarity before inverting, so a group of mutually orthogonal adapters
    /// (mean 0) gets a large finite diversity (about 10⁹) instead of infinity, which JSON cannot store.
    public static let minimumMeanSimilarity = 1e-9

    /// Whether each matrix's cosine enters the average as an absolute value (ROCKET) or signed (the printed Eq. 6).
    public var absoluteCosine: Bool

    /// Creates the measure; see the type's documentation for `absoluteCosine`.
    public init(absoluteCosine: Bool = true) {
        self.absoluteCosine = absoluteCosine
    }

    /// The cosine of every shared LoRA factor of `a` and `b`, keyed by tensor name.
    public func matrixCosines(_ a: LoRAAdapter, _ b: LoRAAdapter) throws(LoRAError) -> [String: Double] {
        var cosines: [String: Double] = [:]
        for name in try sharedMatrices([a, b]) {
            let first = try read(name, from: a)
            let second = try read(name, from: b)
            let cosine = Double(VectorMath.cosine(first, second))
            cosines[name] = absoluteCosine ? abs(cosine) : cosine
        }
        guard !cosines.isEmpty else { throw .noSharedMatrices(first: a.path, second: b.path) }
        return cosines
    }

    /// The parameter similarity of two adapters: the mean cosine over their shared LoRA matrices.
    ///
    /// 1 for identical adapters or scaled copies, near 0 for unrelated ones.
    public func similarity(_ a: LoRAAdapter, _ b: LoRAAdapter) throws(LoRAError) -> Double {
        let cosines = try matrixCosines(a, b)
        return cosines.keys.sorted().reduce(0) { $0 + cosines[$1]! } / Double(cosines.count)
    }

    /// The similarity of every pair of `adapters` as a symmetric matrix with 1 on the diagonal.
    ///
    /// Reads each matrix of each adapter once and compares it with all others in one BLAS call, instead of
    /// re-reading both files for each of the N(N−1)/2 pairs. Each pair averages over the matrices *it* shares.
    public func similarityMatrix(_ adapters: [LoRAAdapter]) throws(LoRAError) -> [[Double]] {
        let count = adapters.count
        var sums = [[Double]](repeating: [Double](repeating: 0, count: count), count: count)
        var shared = [[Int]](repeating: [Int](repeating: 0, count: count), count: count)
        let names = Set(adapters.flatMap(\.factorNames)).sorted()
        for name in names {
            // Group the adapters holding this matrix by shape; only equal shapes are comparable.
            var byShape: [[Int]: [Int]] = [:]
            for (index, adapter) in adapters.enumerated() {
                if let info = adapter.file.tensor(named: name) {
                    byShape[info.dimensions, default: []].append(index)
                }
            }
            for shape in byShape.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
                let members = byShape[shape]!
                guard members.count > 1 else { continue }
                var vectors: [[Float]] = []
                for member in members {
                    vectors.append(try read(name, from: adapters[member]))
                }
                let cosines = VectorMath.pairwiseCosine(vectors)
                for i in 0..<members.count {
                    for j in (i + 1)..<members.count {
                        let cosine = Double(cosines[i][j])
                        let value = absoluteCosine ? abs(cosine) : cosine
                        sums[members[i]][members[j]] += value
                        sums[members[j]][members[i]] += value
                        shared[members[i]][members[j]] += 1
                        shared[members[j]][members[i]] += 1
                    }
                }
            }
        }
        var result = sums
        for i in 0..<count {
            result[i][i] = 1
            for j in 0..<count where j != i {
                guard shared[i][j] > 0 else {
                    throw .noSharedMatrices(first: adapters[i].path, second: adapters[j].path)
                }
                result[i][j] = sums[i][j] / Double(shared[i][j])
            }
        }
        return result
    }

    /// The diversity of a group from its pairwise similarities: the inverse of their mean (Eq. 6).
    ///
    /// Similarities enter as absolute values, so a mean ≤ 0 cannot occur; the mean is floored at
    /// `minimumMeanSimilarity` to avoid dividing by zero. With no pairs (a group of one) the result is 0: a single
    /// expert brings no diversity.
    public static func groupDiversity(similarities: [Double]) -> Double {
        guard !similarities.isEmpty else { return 0 }
        let mean = similarities.reduce(0) { $0 + abs($1) } / Double(similarities.count)
        return 1 / max(mean, minimumMeanSimilarity)
    }

    /// The diversity of the group `members` (indices into `matrix`, as from `similarityMatrix`), from the
    /// similarities of all its pairs.
    public static func groupDiversity(members: [Int], similarityMatrix matrix: [[Double]]) -> Double {
        var similarities: [Double] = []
        for (position, i) in members.enumerated() {
            for j in members[(position + 1)...] {
                similarities.append(matrix[i][j])
            }
        }
        return groupDiversity(similarities: similarities)
    }

    /// The factor names both (all) adapters hold with identical shapes, sorted.
    private func sharedMatrices(_ adapters: [LoRAAdapter]) throws(LoRAError) -> [String] {
        guard let first = adapters.first else { return [] }
        return first.factorNames.filter { name in
            let shape = first.file.tensor(named: name)?.dimensions
            return adapters.dropFirst().allSatisfy { $0.file.tensor(named: name)?.dimensions == shape }
        }
    }

    private func read(_ name: String, from adapter: LoRAAdapter) throws(LoRAError) -> [Float] {
        do {
            return try adapter.file.readTensor(named: name)
        } catch {
            throw .file(error)
        }
    }
}
