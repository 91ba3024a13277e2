# shoko — the two commands a newcomer needs are `make demo` and `make test`.
SHELL := /bin/bash
GO ?= go
BIN := bin
# A count of executions, not a duration: with a duration Go's fuzz coordinator can report
# "context deadline exceeded" at the deadline while a worker is mid-call, a failure with no input
# behind it (go.dev/issue/75804, fixed in Go 1.27). A count has no deadline to race.
FUZZTIME ?= 10000x
# Minimising a new input re-runs the target once per byte it tries to drop; with inputs of a few
# kilobytes (bundles) Go's default of 60s stalls a short run, so short runs minimise briefly.
FUZZMINTIME ?= 1s
# Fuzz targets: package and name. CI runs each for $(FUZZTIME) executions; `make fuzz` for longer.
FUZZ_TARGETS := \
	./engine:FuzzLoadCatalog \
	./calendar:FuzzParseClosure \
	./collectors/records:FuzzReadRecordsCSV \
	./collectors/records:FuzzReadRecordsJSON \
	./collectors/records:FuzzAttestation \
	./collectors/records:FuzzExceptions \
	./reports:FuzzWrapText \
	./collectors/service:FuzzDecodePage \
	./config:FuzzParse \
	./evidence:FuzzVerifyBundle

.PHONY: all build test test-go test-race fuzz-short fuzz lint fmt bench demo docs clean

all: build

build:
	$(GO) build -o $(BIN)/shoko ./cmd/shoko

## test: lint, every Go and Rego test, the race detector over the concurrent parts, and a short
## run of every fuzz target.
test: lint test-go test-race fuzz-short

test-go:
	$(GO) test -count=1 -timeout 20m ./...

## test-race: the collectors (run concurrently), the engine (evaluates controls in parallel) and
## the fault proxy, under the race detector. The AWS fault tests are skipped here: they collect the
## estate two dozen times (about 10 minutes without -race, which test-go runs) and race nothing the
## section-A collection tests do not.
RACE_SKIP := TestTransientAWSFaultsChangeNothing|TestPermanentAWSFaultErrsOnlyItsControls|TestNoAWSFaultMakesAControlPass|TestRandomTransientAWSFaultsChangeNoVerdict
test-race:
	$(GO) test -race -count=1 -timeout 15m -skip '$(RACE_SKIP)' ./collectors/... ./engine/... ./internal/faultproxy/

fuzz-short:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$name ($$pkg) for $(FUZZTIME)"; \
		$(GO) test -run='^$$' -fuzz="^$$name\$$" -fuzztime=$(FUZZTIME) -fuzzminimizetime=$(FUZZMINTIME) $$pkg; \
	done

fuzz:
	$(MAKE) fuzz-short FUZZTIME=1000000x FUZZMINTIME=10s

## lint: go vet, gofmt, and the catalog checks (strict YAML, JSON Schema, opa fmt).
lint:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
		if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) run ./cmd/shoko controls validate
	$(GO) run ./cmd/shoko policy fmt policies

fmt:
	gofmt -w $$(git ls-files '*.go')
	$(GO) run ./cmd/shoko policy fmt --write policies

docs:
	$(GO) run ./cmd/shoko controls docs --out docs/controls.md

## bench: every performance figure against its floor, as one table; also writes bench/results.md.
bench: build
	$(GO) run ./bench --shoko $(BIN)/shoko --out bench/results.md

## demo: the whole mission end to end (demo/run): moto + the seeded AWS estate, cardsvc over
## HTTPS, records; one signed audit, its reports, verify, bundle. Needs only Go and Python 3:
## moto[server] goes into a project-local .venv when it is not already installed.
MOTO_SPEC := moto[server]>=5.2,<6
demo:
	@command -v moto_server >/dev/null 2>&1 || [ -x .venv/bin/moto_server ] || { \
		echo "==> installing $(MOTO_SPEC) into .venv (once)"; \
		python3 -m venv .venv || { rm -rf .venv; echo "python3 -m venv failed: on Debian/Ubuntu 'apt install python3-venv', or install moto yourself: pip install '$(MOTO_SPEC)'"; exit 1; }; \
		.venv/bin/pip install --quiet '$(MOTO_SPEC)'; }
	@echo "==> building bin/shoko, bin/cardsvc, bin/demo"
	$(GO) build -o $(BIN)/shoko ./cmd/shoko
	$(GO) build -o $(BIN)/cardsvc ./demo/cardsvc/cmd/cardsvc
	$(GO) build -o $(BIN)/demo ./demo/run
	$(BIN)/demo --out out/demo

clean:
	rm -rf $(BIN)
