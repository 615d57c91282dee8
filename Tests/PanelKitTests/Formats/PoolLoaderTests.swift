import Foundation
import Testing

@testable import PanelKit

/// One malformed pool file and the located error it must raise.
struct InvalidPool: Sendable, CustomTestStringConvertible {
    var name: String
    var text: String
    var line: Int
    var field: String
    var message: String

    var testDescription: String { name }

    init(_ name: String, line: Int, field: String, message: String, _ text: String) {
        self.name = name
        self.text = text
        self.line = line
        self.field = field
        self.message = message
    }
}

@Suite struct PoolLoaderTests {
    static let path = "/tmp/panel-pools/sub/test.json"

    private static func parse(_ text: String, path: String = path) throws(DataFileError) -> Pool {
        try PoolLoader.parse(Data(text.utf8), path: path)
    }

    /// The error `text` raises, or `nil` when it loads.
    private static func error(of text: String) -> DataFileError? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error
        }
    }

    /// A one-candidate pool whose candidate is on line 3.
    private static func one(_ candidate: String) -> String {
        """
        {
          "candidates": [
            \(candidate)
          ]
        }
        """
    }

    static let invalid: [InvalidPool] = [
        // MARK: The file as a whole
        InvalidPool(
            "invalid JSON: a missing comma", line: 3, field: "", message: "invalid JSON: expected ',' or '}' in object (column 40)",
            """
            {
              "candidates": [
                {"id": "a", "kind": "llama-server" "url": "http://127.0.0.1:9001"}
              ]
            }
            """),
        InvalidPool(
            "invalid JSON: a truncated file", line: 4, field: "", message: "invalid JSON: unterminated array",
            """
            {
              "candidates": [
                {"id": "a", "kind": "llama-server", "url": "http://127.0.0.1:9001"}

            """),
        InvalidPool(
            "invalid JSON: a trailing comma", line: 4, field: "", message: "invalid JSON: unexpected character ']' (column 3)",
            """
            {
              "candidates": [
                {"id": "a", "kind": "llama-server", "url": "http://127.0.0.1:9001"},
              ]
            }
            """),
        InvalidPool(
            "top level is an array", line: 1, field: "", message: "expected an object, found an array",
            #"[{"id": "a", "kind": "llama-server", "url": "http://127.0.0.1:9001"}]"#),
        InvalidPool(
            "no candidates", line: 1, field: "candidates", message: "missing required field",
            """
            {
              "description": "nothing here"
            }
            """),
        InvalidPool(
            "empty candidates", line: 3, field: "candidates", message: "a pool needs at least one candidate",
            """
            {
              "description": "nothing here",
              "candidates": []
            }
            """),
        InvalidPool(
            "candidates is an object", line: 2, field: "candidates", message: "expected an array, found an object",
            """
            {
              "candidates": {"id": "a"}
            }
            """),
        InvalidPool(
            "candidate is a string", line: 3, field: "candidates[0]", message: "expected an object, found a string",
            one(#""qwen""#)),
        InvalidPool(
            "unknown top-level field", line: 2, field: "candidate", message: "unknown field; did you mean 'candidates'?",
            """
            {
              "candidate": []
            }
            """),

        // MARK: Ids and kinds
        InvalidPool(
            "unknown candidate field", line: 3, field: "candidates[0].modle", message: "unknown field; did you mean 'model'?",
            one(#"{"id": "a", "kind": "ollama", "url": "http://127.0.0.1:11434", "modle": "qwen"}"#)),
        InvalidPool(
            "unknown field far from any", line: 3, field: "candidates[0].colour",
            message: "unknown field (allowed: id, kind, url, urls, model,",
            one(#"{"id": "a", "kind": "llama-server", "url": "http://127.0.0.1:9001", "colour": "red"}"#)),
        InvalidPool(
            "missing id", line: 3, field: "candidates[0].id", message: "missing required field",
            one(#"{"kind": "llama-server", "url": "http://127.0.0.1:9001"}"#)),
        InvalidPool(
            "empty id", line: 3, field: "candidates[0].id", message: "must not be empty",
            one(#"{"id": " ", "kind": "llama-server", "url": "http://127.0.0.1:9001"}"#)),
        InvalidPool(
            "id is a number", line: 3, field: "candidates[0].id", message: "expected a string, found a number",
            one(#"{"id": 7, "kind": "llama-server", "url": "http://127.0.0.1:9001"}"#)),
        InvalidPool(
            "bad id characters", line: 3, field: "candidates[0].id",
            message: "'my model!' may only contain letters, digits, '.', '_', '-' and ':'",
            one(#"{"id": "my model!", "kind": "llama-server", "url": "http://127.0.0.1:9001"}"#)),
        InvalidPool(
            "duplicate id", line: 9, field: "candidates[1].id", message: "duplicate id 'a' (first used on line 4)",
            """
            {
              "candidates": [
                {
                  "id": "a",
                  "kind": "llama-server",
                  "url": "http://127.0.0.1:9001"
                },
                {
                  "id": "a",
                  "kind": "llama-server",
                  "url": "http://127.0.0.1:9002"
                }
              ]
            }
            """),
        InvalidPool(
            "unknown kind", line: 10, field: "candidates[1].kind",
            message: "unknown kind 'lama-server' (expected one of: llama-server, openai, vllm, ollama)",
            """
            {
              "candidates": [
                {
                  "id": "a",
                  "kind": "llama-server",
                  "url": "http://127.0.0.1:9001"
                },
                {
                  "id": "b",
                  "kind": "lama-server",
                  "url": "http://127.0.0.1:9002"
                }
              ]
            }
            """),
        InvalidPool(
            "missing kind", line: 3, field: "candidates[0].kind", message: "missing required field",
            one(#"{"id": "a", "url": "http://127.0.0.1:9001"}"#)),

        // MARK: URLs
        InvalidPool(
            "missing url", line: 3, field: "candidates[0].url", message: "missing required field (or give 'urls' for replicas)",
            one(#"{"id": "a", "kind": "llama-server"}"#)),
        InvalidPool(
            "both url and urls", line: 3, field: "candidates[0].urls", message: "give either 'url' or 'urls', not both",
            one(#"{"id": "a", "kind": "llama-server", "url": "http://127.0.0.1:9001", "urls": ["http://127.0.0.1:9002"]}"#)),
        InvalidPool(
            "empty urls", line: 3, field: "candidates[0].urls", message: "must list at least one replica URL",
            one(#"{"id": "a", "kind": "llama-server", "urls": []}"#)),
        InvalidPool(
            "non-http url", line: 3, field: "candidates[0].url",
            message: "'ftp://127.0.0.1/models' is not an http(s) URL",
            one(#"{"id": "a", "kind": "llama-server", "url": "ftp://127.0.0.1/models"}"#)),
        InvalidPool(
            "url without a host", line: 3, field: "candidates[0].url", message: "'http://' is not an http(s) URL",
            one(#"{"id": "a", "kind": "llama-server", "url": "http://"}"#)),
        InvalidPool(
            "non-http replica url", line: 8, field: "candidates[0].urls[1]",
            message: "'localhost:9002' is not an http(s) URL",
            """
            {
              "candidates": [
                {
                  "id": "a",
                  "kind": "llama-server",
                  "urls": [
                    "http://127.0.0.1:9001",
                    "localhost:9002"
                  ]
                }
              ]
            }
            """),
        InvalidPool(
            "duplicate replica url", line: 3, field: "candidates[0].urls", message: "lists the same URL twice",
            one(#"{"id": "a", "kind": "llama-server", "urls": ["http://127.0.0.1:9001", "http://127.0.0.1:9001/"]}"#)),

        // MARK: Models and adapters
        InvalidPool(
            "ollama without model", line: 3, field: "candidates[0].model", message: "missing required field",
            one(#"{"id": "a", "kind": "ollama", "url": "http://127.0.0.1:11434"}"#)),
        InvalidPool(
            "vllm without model", line: 3, field: "candidates[0].model", message: "missing required field",
            one(#"{"id": "a", "kind": "vllm", "url": "http://127.0.0.1:8000"}"#)),
        InvalidPool(
            "openai with empty model", line: 3, field: "candidates[0].model", message: "must not be empty",
            one(#"{"id": "a", "kind": "openai", "url": "https://api.example.com", "model": ""}"#)),
        InvalidPool(
            "adapter without name or path", line: 7, field: "candidates[0].adapter.name",
            message: "missing required field (or give 'path')",
            """
            {
              "candidates": [
                {
                  "id": "math",
                  "kind": "llama-server",
                  "url": "http://127.0.0.1:9001",
                  "adapter": {"scale": 0.5}
                }
              ]
            }
            """),
        InvalidPool(
            "adapter scale out of range", line: 9, field: "candidates[0].adapter.scale", message: "9 is out of range -4…4",
            """
            {
              "candidates": [
                {
                  "id": "math",
                  "kind": "llama-server",
                  "url": "http://127.0.0.1:9001",
                  "adapter": {
                    "name": "math",
                    "scale": 9
                  }
                }
              ]
            }
            """),
        InvalidPool(
            "adapter is a string", line: 3, field: "candidates[0].adapter", message: "expected an object, found a string",
            one(#"{"id": "a", "kind": "llama-server", "url": "http://127.0.0.1:9001", "adapter": "math"}"#)),
        InvalidPool(
            "adapter with unknown field", line: 3, field: "candidates[0].adapter.scael", message: "did you mean 'scale'?",
            one(#"{"id": "a", "kind": "llama-server", "url": "http://127.0.0.1:9001", "adapter": {"name": "m", "scael": 1}}"#)),

        // MARK: Prompts
        InvalidPool(
            "unknown prompt style", line: 7, field: "candidates[0].prompt.style",
            message: "unknown style 'instruct' (expected chat or completion)",
            """
            {
              "candidates": [
                {
                  "id": "a",
                  "kind": "llama-server",
                  "url": "http://127.0.0.1:9001",
                  "prompt": {"style": "instruct"}
                }
              ]
            }
            """),
        InvalidPool(
            "completion template without {answer}", line: 3, field: "candidates[0].prompt.template",
            message: "must contain the placeholder {answer}",
            one(#"{"id": "a", "kind": "llama-server", "url": "http://127.0.0.1:9001", "prompt": {"style": "completion", "template": "Q: {question}\nA:"}}"#)),
        InvalidPool(
            "completion template without {question}", line: 3, field: "candidates[0].prompt.template",
            message: "must contain the placeholder {question}",
            one(#"{"id": "a", "kind": "llama-server", "url": "http://127.0.0.1:9001", "prompt": {"style": "completion", "template": "A: {answer}"}}"#)),
        InvalidPool(
            "template on the chat style", line: 3, field: "candidates[0].prompt.template",
            message: "only applies to the completion style",
            one(#"{"id": "a", "kind": "llama-server", "url": "http://127.0.0.1:9001", "prompt": {"style": "chat", "template": "Q: {question} A: {answer}"}}"#)),
        InvalidPool(
            "shots on the default (chat) style", line: 3, field: "candidates[0].prompt.shots",
            message: "only applies to the completion style",
            one(#"{"id": "a", "kind": "llama-server", "url": "http://127.0.0.1:9001", "prompt": {"shots": 3}}"#)),
        InvalidPool(
            "too many shots", line: 3, field: "candidates[0].prompt.shots", message: "65 is out of range 0…64",
            one(#"{"id": "a", "kind": "llama-server", "url": "http://127.0.0.1:9001", "prompt": {"style": "completion", "shots": 65}}"#)),
        InvalidPool(
            "bad style inherited from defaults.prompt", line: 3, field: "defaults.prompt.style",
            message: "unknown style 'compleshun'",
            """
            {
              "defaults": {
                "prompt": {"style": "compleshun"}
              },
              "candidates": [
                {"id": "a", "kind": "llama-server", "url": "http://127.0.0.1:9001"}
              ]
            }
            """),

        // MARK: Sampling
        InvalidPool(
            "temperature out of range", line: 8, field: "candidates[0].sampling.temperature", message: "6 is out of range 0…5",
            """
            {
              "candidates": [
                {
                  "id": "a",
                  "kind": "llama-server",
                  "url": "http://127.0.0.1:9001",
                  "sampling": {
                    "temperature": 6
                  }
                }
              ]
            }
            """),
        InvalidPool(
            "top_p out of range", line: 3, field: "candidates[0].sampling.top_p", message: "1.5 is out of range 0…1",
            one(#"{"id": "a", "kind": "llama-server", "url": "http://127.0.0.1:9001", "sampling": {"top_p": 1.5}}"#)),
        InvalidPool(
            "negative default temperature", line: 4, field: "defaults.sampling.temperature", message: "-1 is out of range 0…5",
            """
            {
              "defaults": {
                "sampling": {
                  "temperature": -1
                }
              },
              "candidates": [
                {"id": "a", "kind": "llama-server", "url": "http://127.0.0.1:9001"}
              ]
            }
            """),
        InvalidPool(
            "temperature as a string", line: 3, field: "candidates[0].sampling.temperature",
            message: "expected a number, found a string",
            one(#"{"id": "a", "kind": "llama-server", "url": "http://127.0.0.1:9001", "sampling": {"temperature": "0.5"}}"#)),
        InvalidPool(
            "fractional max_tokens", line: 3, field: "candidates[0].sampling.max_tokens",
            message: "expected an integer, found 1.5",
            one(#"{"id": "a", "kind": "llama-server", "url": "http://127.0.0.1:9001", "sampling": {"max_tokens": 1.5}}"#)),
        InvalidPool(
            "unknown sampling field", line: 3, field: "candidates[0].sampling.temprature",
            message: "did you mean 'temperature'?",
            one(#"{"id": "a", "kind": "llama-server", "url": "http://127.0.0.1:9001", "sampling": {"temprature": 0.5}}"#)),

        // MARK: API keys
        InvalidPool(
            "api_key_env with a dash", line: 3, field: "candidates[0].api_key_env",
            message: "'MY-KEY' is not an environment variable name",
            one(#"{"id": "a", "kind": "openai", "url": "https://api.example.com", "model": "m", "api_key_env": "MY-KEY"}"#)),
        InvalidPool(
            "empty api_key_env", line: 3, field: "candidates[0].api_key_env", message: "'' is not an environment variable name",
            one(#"{"id": "a", "kind": "openai", "url": "https://api.example.com", "model": "m", "api_key_env": ""}"#)),

        // MARK: Launch
        InvalidPool(
            "launch on an ollama candidate", line: 3, field: "candidates[0].launch",
            message: "only llama-server candidates can be launched by panel",
            one(#"{"id": "a", "kind": "ollama", "url": "http://127.0.0.1:11434", "model": "m", "launch": {"model_file": "m.gguf"}}"#)),
        InvalidPool(
            "launch with a non-loopback url", line: 6, field: "candidates[0].url", message: "needs loopback URLs with a port",
            """
            {
              "candidates": [
                {
                  "id": "a",
                  "kind": "llama-server",
                  "url": "http://10.0.0.5:8080",
                  "launch": {"model_file": "m.gguf"}
                }
              ]
            }
            """),
        InvalidPool(
            "launch with no port", line: 3, field: "candidates[0].url", message: "needs loopback URLs with a port",
            one(#"{"id": "a", "kind": "llama-server", "url": "http://127.0.0.1", "launch": {"model_file": "m.gguf"}}"#)),
        InvalidPool(
            "launch with a remote replica", line: 7, field: "candidates[0].urls[1]", message: "needs loopback URLs with a port",
            """
            {
              "candidates": [
                {
                  "id": "a",
                  "kind": "llama-server",
                  "launch": {"model_file": "m.gguf"},
                  "urls": ["http://127.0.0.1:9001", "http://10.0.0.5:9002"]
                }
              ]
            }
            """),
        InvalidPool(
            "launch without model_file", line: 3, field: "candidates[0].launch.model_file", message: "missing required field",
            one(#"{"id": "a", "kind": "llama-server", "url": "http://127.0.0.1:9001", "launch": {"slots": 2}}"#)),
        InvalidPool(
            "launch context too small", line: 3, field: "candidates[0].launch.context", message: "100 is out of range 256…1048576",
            one(#"{"id": "a", "kind": "llama-server", "url": "http://127.0.0.1:9001", "launch": {"model_file": "m.gguf", "context": 100}}"#)),
        InvalidPool(
            "tags with a number", line: 3, field: "candidates[0].tags[1]", message: "expected a string, found a number",
            one(#"{"id": "a", "kind": "llama-server", "url": "http://127.0.0.1:9001", "tags": ["x", 3]}"#)),

        // MARK: Embeddings
        InvalidPool(
            "embeddings is a string", line: 5, field: "embeddings", message: "expected an object, found a string",
            """
            {
              "candidates": [
                {"id": "a", "kind": "llama-server", "url": "http://127.0.0.1:9001"}
              ],
              "embeddings": "http://127.0.0.1:9100"
            }
            """),
        InvalidPool(
            "embeddings without url", line: 5, field: "embeddings.url", message: "missing required field",
            """
            {
              "candidates": [
                {"id": "a", "kind": "llama-server", "url": "http://127.0.0.1:9001"}
              ],
              "embeddings": {"kind": "ollama", "model": "nomic-embed-text"}
            }
            """),
        InvalidPool(
            "embeddings with an unknown kind", line: 7, field: "embeddings.kind", message: "unknown kind 'tei'",
            """
            {
              "candidates": [
                {"id": "a", "kind": "llama-server", "url": "http://127.0.0.1:9001"}
              ],
              "embeddings": {
                "url": "http://127.0.0.1:9100",
                "kind": "tei"
              }
            }
            """),
        InvalidPool(
            "embeddings with a bad url", line: 5, field: "embeddings.url", message: "is not an http(s) URL",
            """
            {
              "candidates": [
                {"id": "a", "kind": "llama-server", "url": "http://127.0.0.1:9001"}
              ],
              "embeddings": {"kind": "ollama", "url": "127.0.0.1:11434"}
            }
            """),
        InvalidPool(
            "embeddings with an unknown field", line: 5, field: "embeddings.modle", message: "did you mean 'model'?",
            """
            {
              "candidates": [
                {"id": "a", "kind": "llama-server", "url": "http://127.0.0.1:9001"}
              ],
              "embeddings": {"kind": "ollama", "url": "http://127.0.0.1:11434", "modle": "nomic"}
            }
            """),
    ]

    // MARK: Errors

    @Test(arguments: invalid) func everyProblemIsLocated(_ example: InvalidPool) throws {
        let error = try #require(Self.error(of: example.text), "the pool loaded, but it is malformed")
        #expect(error.file == Self.path)
        #expect(error.line == example.line)
        #expect(error.field == example.field)
        #expect(error.message.contains(example.message), "message: \(error.message)")
        let location = "\(Self.path):\(example.line): "
        let expected = example.field.isEmpty ? location + error.message : location + "\(example.field): \(error.message)"
        #expect(error.description == expected)
        #expect(!error.description.contains("\n"))
    }

    @Test func invalidJSONNamesTheColumnOfTheOffendingByte() throws {
        let text = """
            {
              "candidates": [
                {"id": "a", "kind": "llama-server" "url": "http://127.0.0.1:9001"}
              ]
            }
            """
        let error = try #require(Self.error(of: text))
        let line = text.split(separator: "\n")[2]
        let range = try #require(line.firstRange(of: "\"url\""))
        let column = line.distance(from: line.startIndex, to: range.lowerBound) + 1
        #expect(error.message.hasSuffix("(column \(column))"))
    }

    @Test func aMissingFileIsReportedWithoutALine() throws {
        let path = "/tmp/panel-pools-\(UUID().uuidString)/missing.json"
        do {
            _ = try PoolLoader.load(path: path)
            Issue.record("a missing file loaded")
        } catch {
            #expect(error.line == 0)
            #expect(error.field == "")
            #expect(error.description.hasPrefix("\(path): no such file"))
        }
    }

    @Test func descriptionReadsFileLineFieldMessage() {
        let error = DataFileError(file: "pools/x.json", line: 12, field: "candidates[1].kind", message: "unknown kind 'x'")
        #expect(error.description == "pools/x.json:12: candidates[1].kind: unknown kind 'x'")
        #expect(DataFileError(file: "p.json", line: 3, message: "bad").description == "p.json:3: bad")
        #expect(DataFileError(file: "p.json", line: 0, message: "no such file").description == "p.json: no such file")
    }

    // MARK: Valid files

    static let valid = """
        {
          "description": "test pool",
          "defaults": {
            "sampling": {"temperature": 0.7, "top_p": 0.95, "max_tokens": 384},
            "prompt": {"system": "Be brief."}
          },
          "candidates": [
            {
              "id": "base",
              "kind": "llama-server",
              "url": "http://127.0.0.1:9001/",
              "sampling": {"temperature": 0.2, "top_k": 40},
              "launch": {"model_file": "../models/base.gguf", "lora_files": ["adapters/math.gguf", "/abs/code.gguf"], "slots": 4}
            },
            {
              "id": "math",
              "kind": "llama-server",
              "url": "http://127.0.0.1:9001",
              "adapter": {"path": "adapters/math.gguf", "scale": 0.5},
              "tags": ["math"]
            },
            {
              "id": "remote:gpt",
              "kind": "openai",
              "urls": ["https://api.example.com/v1/", "https://api2.example.com/v1"],
              "model": "gpt-x",
              "api_key_env": "OPENAI_API_KEY",
              "prompt": {"style": "completion", "shots": 5, "system": null}
            }
          ],
          "embeddings": {"kind": "ollama", "url": "http://127.0.0.1:11434", "model": "nomic-embed-text"}
        }
        """

    @Test func aValidFileParsesWithDefaultsMerged() throws {
        let pool = try Self.parse(Self.valid)
        #expect(pool.path == Self.path)
        #expect(pool.fingerprint == SHA256.hexDigest(Data(Self.valid.utf8)))
        #expect(pool.candidates.map(\.id) == ["base", "math", "remote:gpt"])
        #expect(pool.candidates.map(\.line) == [8, 15, 22])

        let base = try #require(pool.candidate("base"))
        #expect(base.kind == .llamaServer)
        #expect(base.urls == ["http://127.0.0.1:9001"])
        #expect(base.model == "base")
        // Candidate sampling over defaults.sampling, field by field.
        #expect(base.sampling == SamplingDefaults(temperature: 0.2, topP: 0.95, topK: 40, maxTokens: 384))
        #expect(base.promptStyle == .chat)
        #expect(base.systemPrompt == "Be brief.")

        let math = try #require(pool.candidate("math"))
        #expect(math.sampling == SamplingDefaults(temperature: 0.7, topP: 0.95, maxTokens: 384))
        #expect(math.adapter == AdapterRef(name: "math", scale: 0.5, path: "/tmp/panel-pools/sub/adapters/math.gguf"))
        #expect(math.tags == ["math"])
        #expect(math.launch == nil)

        let gpt = try #require(pool.candidate("remote:gpt"))
        #expect(gpt.urls == ["https://api.example.com/v1", "https://api2.example.com/v1"])
        #expect(gpt.model == "gpt-x")
        #expect(gpt.apiKeyVariable == "OPENAI_API_KEY")
        let standard = CompletionTemplate.standard
        #expect(gpt.promptStyle == .completion(CompletionTemplate(item: standard.item, separator: standard.separator, shots: 5)))
        #expect(gpt.systemPrompt == nil)

        #expect(pool.embeddings == EmbeddingsEndpoint(kind: .ollama, url: "http://127.0.0.1:11434", model: "nomic-embed-text"))
    }

    @Test func relativePathsResolveAgainstThePoolFilesFolder() throws {
        let pool = try Self.parse(Self.valid)
        let launch = try #require(pool.candidate("base")?.launch)
        #expect(launch.modelFile == "/tmp/panel-pools/models/base.gguf")
        #expect(launch.loraFiles == ["/tmp/panel-pools/sub/adapters/math.gguf", "/abs/code.gguf"])
        #expect(launch.slots == 4)
        #expect(launch.contextSize == 8192)
        #expect(launch.threads == 1)
        #expect(launch.extraArguments.isEmpty)
    }

    @Test func aCompletionTemplateIsKept() throws {
        let pool = try Self.parse(
            Self.one(#"{"id": "g", "kind": "llama-server", "url": "http://127.0.0.1:9001", "prompt": {"style": "completion", "template": "Q: {question}\nA: {answer}", "separator": "\n---\n"}}"#))
        let expected = CompletionTemplate(item: "Q: {question}\nA: {answer}", separator: "\n---\n", shots: 3)
        #expect(pool.candidates[0].promptStyle == .completion(expected))
    }

    @Test func theProjectsLocalPoolLoads() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let pool = try PoolLoader.load(path: root.appendingPathComponent("pools/local.json").path)
        #expect(pool.candidates.count == 3)
        #expect(pool.candidates.map(\.id) == ["qwen2.5-coder-0.5b", "smollm2-135m", "gemma3-270m"])
        #expect(pool.candidates.allSatisfy { $0.kind == .llamaServer && $0.launch != nil })
        // Qwen, which the ensembles lean on, runs as two replicas so both cores can work for it.
        #expect(pool.candidates.map(\.urls) == [
            ["http://127.0.0.1:8091", "http://127.0.0.1:8094"], ["http://127.0.0.1:8092"], ["http://127.0.0.1:8093"],
        ])
        #expect(try ServerLauncher.plans(for: pool).map(\.port) == [8091, 8094, 8092, 8093])
        let gemma = try #require(pool.candidate("gemma3-270m"))
        guard case .completion(let template) = gemma.promptStyle else {
            Issue.record("gemma should be prompted in the completion style")
            return
        }
        #expect(template.shots == 3)
        #expect(pool.candidate("qwen2.5-coder-0.5b")?.promptStyle == .chat)
        #expect(gemma.sampling == SamplingDefaults(temperature: 0.7, topP: 0.95, maxTokens: 384))
        // Compared with symbolic links resolved: `models` may be a link to a shared folder.
        let modelFile = try #require(gemma.launch?.modelFile)
        #expect(modelFile.hasSuffix("/models/gemma-3-270m.Q4_K_M.gguf"))
        #expect(
            URL(fileURLWithPath: modelFile).resolvingSymlinksInPath().path
                == root.appendingPathComponent("models/gemma-3-270m.Q4_K_M.gguf").resolvingSymlinksInPath().path)
    }
}
