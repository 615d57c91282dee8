import Foundation

/// Reads and validates pool files.
///
/// Validation is complete before anything else happens, so a malformed pool never reaches a server
/// or the store. Relative paths inside the file are resolved against the pool file's folder.
public enum PoolLoader {
    static let topLevelFields = ["candidates", "embeddings", "defaults", "description", "cores"]
    static let candidateFields = [
        "id", "kind", "url", "urls", "model", "adapter", "prompt", "sampling", "api_key_env", "tags", "launch",
        "description",
    ]

    /// Loads the pool file at `path`, checking that the local files it names (adapters) exist.
    public static func load(path: String) throws(DataFileError) -> Pool {
        try parse(
            FieldReader.contents(of: path, missingHint: "see pools/local.json for an example"), path: path,
            checkingFiles: true)
    }

    /// Parses pool file contents; `path` is used for messages and to resolve relative paths.
    ///
    /// The files the pool names are not looked at, so a pool can be checked on another machine;
    /// ``load(path:)`` checks them.
    public static func parse(_ data: Data, path: String) throws(DataFileError) -> Pool {
        try parse(data, path: path, checkingFiles: false)
    }

    private static func parse(_ data: Data, path: String, checkingFiles: Bool) throws(DataFileError) -> Pool {
        let (root, reader) = try FieldReader.parse(data, path: path)
        let top = try reader.object(root, at: "")
        try reader.rejectUnknownKeys(top, allowed: topLevelFields, at: "")
        let base = URL(fileURLWithPath: path).deletingLastPathComponent()

        var defaultSampling = SamplingDefaults()
        var defaultPrompt: JSONObject?
        if let defaults = top["defaults"] {
            let object = try reader.object(defaults, at: "defaults")
            try reader.rejectUnknownKeys(object, allowed: ["sampling", "prompt"], at: "defaults")
            if let sampling = object["sampling"] {
                defaultSampling = try readSampling(sampling, at: "defaults.sampling", reader)
            }
            if let prompt = object["prompt"] { defaultPrompt = try reader.object(prompt, at: "defaults.prompt") }
        }

        guard let list = top["candidates"] else {
            throw reader.error("candidates", "missing required field (a pool needs at least one candidate)")
        }
        guard let items = list.arrayValue else {
            throw reader.error("candidates", "expected an array, found \(list.kindDescription)")
        }
        guard !items.isEmpty else { throw reader.error("candidates", "a pool needs at least one candidate") }

        var candidates: [Candidate] = []
        var seen: [String: Int] = [:]
        for (index, item) in items.enumerated() {
            let candidate = try readCandidate(
                item, at: "candidates[\(index)]", reader, base: base, sampling: defaultSampling, prompt: defaultPrompt,
                checkingFiles: checkingFiles)
            if let earlier = seen[candidate.id] {
                throw reader.error("candidates[\(index)].id", "duplicate id '\(candidate.id)' (first used on line \(earlier))")
            }
            seen[candidate.id] = reader.line(of: "candidates[\(index)].id")
            candidates.append(candidate)
        }

        var embeddings: EmbeddingsEndpoint?
        if let value = top["embeddings"] {
            let object = try reader.object(value, at: "embeddings")
            try reader.rejectUnknownKeys(object, allowed: ["kind", "url", "model", "api_key_env"], at: "embeddings")
            embeddings = EmbeddingsEndpoint(
                kind: try readKind(object, at: "embeddings", reader),
                url: try readURL(try reader.requiredString(object, "url", at: "embeddings"), at: "embeddings.url", reader),
                model: try reader.string(object, "model", at: "embeddings") ?? "default",
                apiKeyVariable: try reader.string(object, "api_key_env", at: "embeddings"))
        }
        let launched = candidates.contains { $0.launch != nil }
        let cores = try reader.integer(top, "cores", at: "", in: 1...4096)
            ?? (launched ? ProcessInfo.processInfo.activeProcessorCount : nil)
        return Pool(
            path: path, fingerprint: SHA256.hexDigest(data), candidates: candidates, embeddings: embeddings, cores: cores)
    }

    private static func readCandidate(
        _ value: JSONValue, at path: String, _ reader: FieldReader, base: URL, sampling: SamplingDefaults,
        prompt defaultPrompt: JSONObject?, checkingFiles: Bool
    ) throws(DataFileError) -> Candidate {
        let object = try reader.object(value, at: path)
        try reader.rejectUnknownKeys(object, allowed: candidateFields, at: path)
        let id = try reader.requiredString(object, "id", at: path)
        guard id.allSatisfy({ $0.isLetter || $0.isNumber || "._-:".contains($0) }) else {
            throw reader.error("\(path).id", "'\(id)' may only contain letters, digits, '.', '_', '-' and ':'")
        }
        let kind = try readKind(object, at: path, reader)

        let single = try reader.string(object, "url", at: path)
        let several = try reader.strings(object, "urls", at: path)
        var urls: [String]
        switch (single, several) {
        case (let url?, nil): urls = [try readURL(url, at: "\(path).url", reader)]
        case (nil, let list?):
            guard !list.isEmpty else { throw reader.error("\(path).urls", "must list at least one replica URL") }
            urls = []
            for (i, url) in list.enumerated() { urls.append(try readURL(url, at: "\(path).urls[\(i)]", reader)) }
        case (nil, nil): throw reader.error("\(path).url", "missing required field (or give 'urls' for replicas)")
        case (.some, .some): throw reader.error("\(path).urls", "give either 'url' or 'urls', not both")
        }
        if Set(urls).count != urls.count { throw reader.error("\(path).urls", "lists the same URL twice") }

        let model: String
        if kind == .llamaServer {
            model = try reader.string(object, "model", at: path) ?? id  // a single-model llama-server ignores it
        } else {
            model = try reader.requiredString(object, "model", at: path)
        }

        var adapter: AdapterRef?
        if let value = object["adapter"] {
            adapter = try readAdapter(value, at: "\(path).adapter", reader, base: base, checkingFiles: checkingFiles)
        }

        var promptObject = defaultPrompt ?? JSONObject()
        if let value = object["prompt"] {
            for (key, member) in try reader.object(value, at: "\(path).prompt") { promptObject[key] = member }
        }
        let promptPath = object["prompt"] == nil && defaultPrompt != nil ? "defaults.prompt" : "\(path).prompt"
        let (style, system) = try readPrompt(promptObject, at: promptPath, reader)

        var candidateSampling = sampling
        if let value = object["sampling"] {
            candidateSampling = try readSampling(value, at: "\(path).sampling", reader).over(sampling)
        }

        let apiKey = try reader.string(object, "api_key_env", at: path)
        if let apiKey, apiKey.isEmpty || !apiKey.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
            throw reader.error("\(path).api_key_env", "'\(apiKey)' is not an environment variable name")
        }

        var launch: LaunchSpec?
        if let value = object["launch"] {
            guard kind == .llamaServer else {
                throw reader.error("\(path).launch", "only llama-server candidates can be launched by panel")
            }
            // Each replica URL gets a server of its own, so each must be a loopback address with a port.
            for (index, url) in urls.enumerated() {
                let components = URLComponents(string: url)
                guard components?.port != nil, ["127.0.0.1", "localhost"].contains(components?.host ?? "") else {
                    throw reader.error(
                        single != nil ? "\(path).url" : "\(path).urls[\(index)]",
                        "a launched candidate needs loopback URLs with a port, e.g. http://127.0.0.1:8091")
                }
            }
            launch = try readLaunch(value, at: "\(path).launch", reader, base: base)
        }

        return Candidate(
            id: id, kind: kind, urls: urls, model: model, adapter: adapter, promptStyle: style, systemPrompt: system,
            sampling: candidateSampling, apiKeyVariable: apiKey,
            tags: try reader.strings(object, "tags", at: path) ?? [], launch: launch, line: reader.line(of: path))
    }

    private static func readKind(_ object: JSONObject, at path: String, _ reader: FieldReader) throws(DataFileError)
        -> BackendKind
    {
        let text = try reader.requiredString(object, "kind", at: path)
        guard let kind = BackendKind(rawValue: text) else {
            throw reader.error(
                "\(path).kind",
                "unknown kind '\(text)' (expected one of: \(BackendKind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return kind
    }

    private static func readURL(_ text: String, at path: String, _ reader: FieldReader) throws(DataFileError) -> String {
        var url = text.trimmingCharacters(in: .whitespaces)
        while url.hasSuffix("/") { url.removeLast() }
        guard let components = URLComponents(string: url), let scheme = components.scheme,
            ["http", "https"].contains(scheme), let host = components.host, !host.isEmpty
        else {
            throw reader.error(path, "'\(text)' is not an http(s) URL such as http://127.0.0.1:8080")
        }
        return url
    }

    private static func readAdapter(
        _ value: JSONValue, at path: String, _ reader: FieldReader, base: URL, checkingFiles: Bool
    ) throws(DataFileError) -> AdapterRef {
        let object = try reader.object(value, at: path)
        try reader.rejectUnknownKeys(object, allowed: ["name", "id", "scale", "path"], at: path)
        let filePath = try reader.string(object, "path", at: path).map { resolve($0, base: base) }
        // Only parameter diversity reads the adapter, late in select-experts, where a missing one would
        // merely be noted; a wrong path is a mistake in the pool, so it is reported with the others.
        if checkingFiles, let filePath, !FileManager.default.fileExists(atPath: filePath) {
            throw reader.error(
                "\(path).path", "no such file '\(filePath)' (a relative path starts at the pool file's folder)")
        }
        let name = try reader.string(object, "name", at: path)
            ?? filePath.map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent }
        guard let name, !name.isEmpty else { throw reader.error("\(path).name", "missing required field (or give 'path')") }
        return AdapterRef(
            name: name, id: try reader.integer(object, "id", at: path, in: 0...1023),
            scale: try reader.number(object, "scale", at: path, in: -4...4) ?? 1.0, path: filePath)
    }

    private static func readPrompt(_ object: JSONObject, at path: String, _ reader: FieldReader) throws(DataFileError)
        -> (PromptStyle, String?)
    {
        try reader.rejectUnknownKeys(object, allowed: ["style", "system", "template", "separator", "shots"], at: path)
        let system = try reader.string(object, "system", at: path)
        let styleName = try reader.string(object, "style", at: path) ?? "chat"
        switch styleName {
        case "chat":
            for key in ["template", "separator", "shots"] where object[key] != nil {
                throw reader.error("\(path).\(key)", "only applies to the completion style")
            }
            return (.chat, system)
        case "completion":
            let standard = CompletionTemplate.standard
            let item = try reader.string(object, "template", at: path) ?? standard.item
            for placeholder in ["{question}", "{answer}"] where !item.contains(placeholder) {
                throw reader.error("\(path).template", "must contain the placeholder \(placeholder)")
            }
            let template = CompletionTemplate(
                item: item, separator: try reader.string(object, "separator", at: path) ?? standard.separator,
                shots: try reader.integer(object, "shots", at: path, in: 0...64) ?? standard.shots)
            return (.completion(template), system)
        default:
            throw reader.error("\(path).style", "unknown style '\(styleName)' (expected chat or completion)")
        }
    }

    private static func readSampling(_ value: JSONValue, at path: String, _ reader: FieldReader) throws(DataFileError)
        -> SamplingDefaults
    {
        let object = try reader.object(value, at: path)
        try reader.rejectUnknownKeys(object, allowed: ["temperature", "top_p", "top_k", "max_tokens"], at: path)
        return SamplingDefaults(
            temperature: try reader.number(object, "temperature", at: path, in: 0...5),
            topP: try reader.number(object, "top_p", at: path, in: 0...1),
            topK: try reader.integer(object, "top_k", at: path, in: 0...100_000),
            maxTokens: try reader.integer(object, "max_tokens", at: path, in: 1...1_000_000))
    }

    private static func readLaunch(_ value: JSONValue, at path: String, _ reader: FieldReader, base: URL)
        throws(DataFileError) -> LaunchSpec
    {
        let object = try reader.object(value, at: path)
        try reader.rejectUnknownKeys(
            object, allowed: ["model_file", "lora_files", "context", "slots", "threads", "args"], at: path)
        return LaunchSpec(
            modelFile: resolve(try reader.requiredString(object, "model_file", at: path), base: base),
            loraFiles: (try reader.strings(object, "lora_files", at: path) ?? []).map { resolve($0, base: base) },
            contextSize: try reader.integer(object, "context", at: path, in: 256...1_048_576) ?? 8192,
            slots: try reader.integer(object, "slots", at: path, in: 1...256) ?? 2,
            threads: try reader.integer(object, "threads", at: path, in: 1...512) ?? 1,
            extraArguments: try reader.strings(object, "args", at: path) ?? [])
    }

    private static func resolve(_ path: String, base: URL) -> String {
        path.hasPrefix("/") ? path : base.appendingPathComponent(path).standardizedFileURL.path
    }
}
