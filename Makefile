# Panel — the two commands that matter on a fresh Debian machine:
#   make demo   set up, start the local pool, select experts, evaluate, stop the pool
#   make test   set up, then run the whole test suite (unit and real-llama-server integration tests)

SWIFT ?= swift
PANEL := .build/debug/panel
POOL ?= pools/local.json

.PHONY: setup build pool-up pool-down pool-check demo test bench evals clean

setup:
	./scripts/setup.sh

build:
	$(SWIFT) build

pool-up: build
	$(PANEL) pool up $(POOL)

pool-down: build
	$(PANEL) pool down $(POOL)

pool-check: build
	$(PANEL) pool check $(POOL)

demo: setup build
	./scripts/demo.sh

test: setup
	$(SWIFT) build --build-tests
	$(SWIFT) test

bench: setup
	./benchmarks/run.sh $(BENCH_ARGS)

evals:
	python3 scripts/make-evals.py

clean:
	-$(PANEL) pool down $(POOL)
	rm -rf .build
