import Foundation

extension EnsembleSpec {
    /// The spec as the JSON document written to `ensembles/<task>.json`.
    public var json: JSONValue {
        var object = JSONObject()
        object["format"] = .string(Self.format)
        object["task"] = .string(task)
        object["task_type"] = .string(taskType?.rawValue ?? "mixed")
        object["mode"] = .string(mode.rawValue)
        object["reason"] = .string(reason)
        object["experts"] = .array(experts.map { expert in
            ["id": .string(expert.id), "roles": .strings(expert.roles.map(\.rawValue)), "accuracy": .number(expert.accuracy)]
        })
        object["aggregator"] = .string(aggregator)
        object["settings"] = settingsJSON(settings)
        object["pool"] = ["path": .string(poolPath), "sha256": .string(poolFingerprint)]
        object["kshot"] = ["path": .string(kshotPath), "sha256": .string(kshotFingerprint)]
        object["demonstrations"] = .array(demonstrations.map(\.json))
        object["router"] = router.json
        object["scores"] = scores
        return .object(object)
    }

    /// Mode settings as JSON.
    public func settingsJSON(_ settings: Settings) -> JSONValue {
        [
            "samples": .int(settings.samples), "window": .int(settings.window), "rounds": .int(settings.rounds),
            "top_k": .int(settings.topK), "temperature": .number(settings.temperature),
            "early_stop": .int(settings.earlyStop), "confidence": .number(settings.confidence),
            "max_tokens": .int(settings.maxTokens),
        ]
    }

    /// Reads and validates an ensemble file; every problem names the file, line and field.
    public static func load(path: String) throws(DataFileError) -> EnsembleSpec {
        let data = try FieldReader.contents(of: path, missingHint: "create it with 'panel select-experts --out \(path)'")
        let (root, reader) = try FieldReader.parse(data, path: path)
        return try parse(root, reader: reader)
    }

    static func parse(_ root: JSONValue, reader r: FieldReader) throws(DataFileError) -> EnsembleSpec {
        let top = try r.object(root, at: "")
        let format = try r.requiredString(top, "format", at: "")
        guard format == Self.format else {
            throw r.error("format", "'\(format)' is not a format this panel reads (expected \(Self.format))")
        }
        let typeName = try r.requiredString(top, "task_type", at: "")
        var taskType: TaskType?
        if typeName != "mixed" {
            guard let type = TaskType(rawValue: typeName) else { throw r.error("task_type", "unknown task type '\(typeName)'") }
            taskType = type
        }
        let modeName = try r.requiredString(top, "mode", at: "")
        guard let mode = EnsembleMode(rawValue: modeName) else {
            throw r.error("mode", "unknown mode '\(modeName)' (expected \(EnsembleMode.allCases.map(\.rawValue).joined(separator: ", ")))")
        }

        guard let expertList = top["experts"]?.arrayValue, !expertList.isEmpty else {
            throw r.error("experts", "expected a non-empty array of experts")
        }
        var experts: [Expert] = []
        for (index, value) in expertList.enumerated() {
            let path = "experts[\(index)]"
            let object = try r.object(value, at: path)
            var roles: [Role] = []
            for (i, name) in (try r.strings(object, "roles", at: path) ?? []).enumerated() {
                guard let role = Role(rawValue: name) else { throw r.error("\(path).roles[\(i)]", "unknown role '\(name)'") }
                roles.append(role)
            }
            experts.append(Expert(
                id: try r.requiredString(object, "id", at: path), roles: roles,
                accuracy: try r.number(object, "accuracy", at: path, in: 0...1) ?? 0))
        }
        let aggregator = try r.requiredString(top, "aggregator", at: "")
        guard experts.contains(where: { $0.id == aggregator }) else {
            throw r.error(
                "aggregator",
                "'\(aggregator)' is not one of the experts (\(experts.map(\.id).joined(separator: ", "))); "
                    + "list it under experts with the aggregator role")
        }

        var settings = Settings()
        if let value = top["settings"] {
            let object = try r.object(value, at: "settings")
            settings.samples = try r.integer(object, "samples", at: "settings", in: 1...256) ?? settings.samples
            settings.window = try r.integer(object, "window", at: "settings", in: 1...64) ?? settings.window
            settings.rounds = try r.integer(object, "rounds", at: "settings", in: 1...64) ?? settings.rounds
            settings.topK = try r.integer(object, "top_k", at: "settings", in: 1...64) ?? settings.topK
            settings.temperature = try r.number(object, "temperature", at: "settings", in: 0...5) ?? settings.temperature
            settings.earlyStop = try r.integer(object, "early_stop", at: "settings", in: 0...256) ?? settings.earlyStop
            settings.confidence = try r.number(object, "confidence", at: "settings", in: 0...1) ?? settings.confidence
            settings.maxTokens = try r.integer(object, "max_tokens", at: "settings", in: 1...1_000_000) ?? settings.maxTokens
        }
        let pool = try r.object(top["pool"], at: "pool")
        let kshot = try r.object(top["kshot"], at: "kshot")

        var demonstrations: [TaskItem] = []
        for (index, value) in (top["demonstrations"]?.arrayValue ?? []).enumerated() {
            demonstrations.append(try TaskItem(json: value, at: "demonstrations[\(index)]", reader: r))
        }
        let router = try RouterData.parse(top["router"], at: "router", reader: r)
        var checkedLater = ["pool.sha256", "kshot.sha256"]
        checkedLater += experts.indices.map { "experts[\($0)].id" }
        let origin = Origin(
            file: r.file, lines: Dictionary(uniqueKeysWithValues: checkedLater.map { ($0, r.line(of: $0)) }))
        var spec = EnsembleSpec(
            task: try r.requiredString(top, "task", at: ""), taskType: taskType, mode: mode,
            reason: try r.string(top, "reason", at: "") ?? "", experts: experts, aggregator: aggregator,
            settings: settings, poolPath: try r.requiredString(pool, "path", at: "pool"),
            poolFingerprint: try r.string(pool, "sha256", at: "pool") ?? "",
            kshotPath: try r.requiredString(kshot, "path", at: "kshot"),
            kshotFingerprint: try r.string(kshot, "sha256", at: "kshot") ?? "", demonstrations: demonstrations,
            router: router, scores: top["scores"] ?? .null)
        spec.origin = origin
        return spec
    }
}

extension TaskItem {
    /// The item in the shared benchmark format.
    public var json: JSONValue {
        var object: JSONObject = ["id": .string(id), "question": .string(question)]
        if let choices { object["choices"] = .strings(choices) }
        object["answer"] = .string(answer)
        if let rationale { object["rationale"] = .string(rationale) }
        if let tests { object["tests"] = .strings(tests) }
        return .object(object)
    }

    init(json: JSONValue, at path: String, reader r: FieldReader) throws(DataFileError) {
        let object = try r.object(json, at: path)
        self.init(
            id: try r.requiredString(object, "id", at: path), question: try r.requiredString(object, "question", at: path),
            choices: try r.strings(object, "choices", at: path), answer: try r.requiredString(object, "answer", at: path),
            rationale: try r.string(object, "rationale", at: path), tests: try r.strings(object, "tests", at: path),
            line: r.line(of: path))
    }
}

extension RouterData {
    /// The router data as JSON; vectors are stored sparsely (index and value lists), rounded to 6 digits.
    public var json: JSONValue {
        let vectorsJSON: JSONValue
        switch vectors {
        case .tfidf(let vectorizer):
            vectorsJSON = [
                "kind": "tfidf", "recipe": .int(vectorizer.recipeVersion), "dimensions": .int(vectorizer.dimensions),
                "features": .int(vectorizer.features.rawValue), "documents": .int(vectorizer.documentCount),
                "idf": .array(vectorizer.idf.map { .number(Self.round($0)) }),
            ]
        case .embeddings(let endpoint):
            vectorsJSON = [
                "kind": "embeddings", "backend": .string(endpoint.kind.rawValue), "url": .string(endpoint.url),
                "model": .string(endpoint.model), "api_key_env": .optional(endpoint.apiKeyVariable),
            ]
        }
        return [
            "vectors": vectorsJSON,
            "items": .array(items.map { item in
                let nonZero = item.vector.indices.filter { item.vector[$0] != 0 }
                return [
                    "id": .string(item.id), "type": .string(item.type.rawValue), "snippet": .string(item.snippet),
                    "dimensions": .int(item.vector.count),
                    "indices": .array(nonZero.map { .int($0) }),
                    "values": .array(nonZero.map { .number(Self.round(item.vector[$0])) }),
                    "correct": .object(JSONObject(item.correct.sorted { $0.key < $1.key }.map { ($0.key, .bool($0.value)) })),
                ]
            }),
        ]
    }

    private static func round(_ x: Float) -> Double { (Double(x) * 1e6).rounded() / 1e6 }

    static func parse(_ value: JSONValue?, at path: String, reader r: FieldReader) throws(DataFileError) -> RouterData {
        let object = try r.object(value, at: path)
        let vectorsObject = try r.object(object["vectors"], at: "\(path).vectors")
        let vectorsPath = "\(path).vectors"
        let vectors: Vectors
        switch try r.requiredString(vectorsObject, "kind", at: vectorsPath) {
        case "tfidf":
            let dimensions = try r.integer(vectorsObject, "dimensions", at: vectorsPath, in: 1...1 << 20) ?? 4096
            let idf = (vectorsObject["idf"]?.arrayValue ?? []).compactMap { $0.doubleValue.map(Float.init) }
            guard let vectorizer = TextVectorizer(
                recipeVersion: try r.integer(vectorsObject, "recipe", at: vectorsPath, in: 0...1000) ?? 0,
                dimensions: dimensions,
                features: .init(rawValue: try r.integer(vectorsObject, "features", at: vectorsPath, in: 0...255) ?? 7),
                idf: idf, documentCount: try r.integer(vectorsObject, "documents", at: vectorsPath, in: 0...Int.max) ?? 0)
            else {
                throw r.error("\(vectorsPath).idf", "the stored TF-IDF model is inconsistent or from another panel version; run select-experts again")
            }
            vectors = .tfidf(vectorizer)
        case "embeddings":
            let backend = try r.requiredString(vectorsObject, "backend", at: vectorsPath)
            guard let kind = BackendKind(rawValue: backend) else { throw r.error("\(vectorsPath).backend", "unknown backend '\(backend)'") }
            vectors = .embeddings(EmbeddingsEndpoint(
                kind: kind, url: try r.requiredString(vectorsObject, "url", at: vectorsPath),
                model: try r.requiredString(vectorsObject, "model", at: vectorsPath),
                apiKeyVariable: try r.string(vectorsObject, "api_key_env", at: vectorsPath)))
        case let other:
            throw r.error("\(vectorsPath).kind", "unknown vector kind '\(other)' (expected tfidf or embeddings)")
        }
        var items: [Item] = []
        for (index, value) in (object["items"]?.arrayValue ?? []).enumerated() {
            let itemPath = "\(path).items[\(index)]"
            let item = try r.object(value, at: itemPath)
            let typeName = try r.requiredString(item, "type", at: itemPath)
            guard let type = TaskType(rawValue: typeName) else { throw r.error("\(itemPath).type", "unknown task type '\(typeName)'") }
            let dimensions = try r.integer(item, "dimensions", at: itemPath, in: 1...1 << 20) ?? 0
            // Every item is compared with a question vector of one dimension (the vectorizer's, or the
            // embedding model's): another dimension would only fail when a question is routed.
            let expected: Int? = if case .tfidf(let vectorizer) = vectors { vectorizer.dimensions } else { items.first?.vector.count }
            if let expected, dimensions != expected {
                throw r.error("\(itemPath).dimensions", "\(dimensions) dimensions, but the router's vectors have \(expected)")
            }
            let indices = (item["indices"]?.arrayValue ?? []).compactMap(\.intValue)
            let values = (item["values"]?.arrayValue ?? []).compactMap { $0.doubleValue.map(Float.init) }
            guard indices.count == values.count, indices.allSatisfy({ (0..<dimensions).contains($0) }) else {
                throw r.error("\(itemPath).indices", "sparse vector indices and values do not match")
            }
            var vector = [Float](repeating: 0, count: dimensions)
            for (i, v) in zip(indices, values) { vector[i] = v }
            var correct: [String: Bool] = [:]
            for (key, flag) in item["correct"]?.objectValue ?? JSONObject() { correct[key] = flag.boolValue ?? false }
            items.append(Item(
                id: try r.requiredString(item, "id", at: itemPath), type: type,
                snippet: try r.string(item, "snippet", at: itemPath) ?? "", vector: vector, correct: correct))
        }
        return RouterData(vectors: vectors, items: items)
    }
}
