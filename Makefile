# Concord: `make up` runs everything in one process, `make test` runs the tests.
SHELL := /bin/bash
SWIFT ?= swift
DATA ?= ./data

.PHONY: up test build deps bench fuzz clean compose-check image compose-test soak-flow multihost-test
FUZZ_SECONDS ?= 30

deps:
	@./scripts/install-deps.sh

build: deps
	$(SWIFT) build -c release --product concord

## Installs what is missing, builds, and runs the bus and every service on $(DATA).
up: build
	.build/release/concord up --data $(DATA)

## Installs what is missing, builds once, runs every test (and a 10-second fuzz of the NATS
## decoder, the compose file's checks, the multi-host test, and the compose test on a real
## Docker engine).
test: deps compose-check
	$(SWIFT) build --build-tests
	$(SWIFT) build --product concord
	$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=10
	$(SWIFT) test --skip-build
	$(MAKE) --no-print-directory multihost-test
	$(MAKE) --no-print-directory compose-test

## The canary information-flow property over 100,000 generated scenarios instead of the 2,000
## of every `make test` (about two hours on two cores); CONCORD_FLOW_SEED=<seed> repeats a run.
soak-flow: deps
	$(SWIFT) build --build-tests
	CONCORD_FLOW_SCENARIOS=100000 $(SWIFT) test --skip-build --filter InformationFlowTests

## compose.yaml against the compose specification's JSON Schema, and as docker-compose reads it.
compose-check:
	@./scripts/install-compose-tools.sh
	check-jsonschema --builtin-schema vendor.compose-spec compose.yaml compose.tls.yaml
	docker-compose -f compose.yaml --profile recorder config -q && echo "docker-compose config: ok"
	docker-compose -f compose.yaml -f compose.tls.yaml config -q && echo "docker-compose config with TLS: ok"

## The image compose.yaml runs, built with the packages resolved here (no network but Debian's
## mirror inside the build). Needs a running Docker engine with swift:6.3-bookworm and
## debian:bookworm-slim available (docs/operations.md).
image: deps
	./scripts/make-base-images.sh
	$(SWIFT) package resolve
	docker build -t concord:latest .

## The compose test on a real Docker engine: dockerd, base images from debootstrap, the image,
## the whole deployment, a stock NATS client from the host, a service killed mid-burst.
compose-test: deps
	Tests/Compose/compose_test.sh

## Five hosts as network namespaces (bus, services, gateway, partner, outsider) with CURVE and
## TLS: the shipped scenario end to end, a packet capture of every link scanned for its strings,
## and an outsider's probes refused and counted (Tests/Security/multihost.py; needs root).
multihost-test: deps
	$(SWIFT) build --product concord
	python3 Tests/Security/multihost.py .build/debug/concord $$(mktemp -d /tmp/concord-multihost.XXXXXX)

## libFuzzer on both NATS decoders (what partners send, what a server sends) for $(FUZZ_SECONDS)
## seconds each, starting from Fuzz/client-corpus and Fuzz/server-corpus; then the partner
## envelope path (headers × every catalog type, PartnerEnvelopeFuzzTests) for as long.
fuzz:
	@mkdir -p .build/fuzz-corpus/client .build/fuzz-corpus/server
	swiftc -O -sanitize=fuzzer,address -parse-as-library Sources/Gateway/NATSProtocol/*.swift \
		Fuzz/FuzzDecoder.swift Fuzz/ClientDecoderFuzz.swift -o .build/fuzz-client-decoder 2>/dev/null
	swiftc -O -sanitize=fuzzer,address -parse-as-library Sources/Gateway/NATSProtocol/*.swift \
		Fuzz/FuzzDecoder.swift Fuzz/ServerDecoderFuzz.swift -o .build/fuzz-server-decoder 2>/dev/null
	.build/fuzz-client-decoder -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 .build/fuzz-corpus/client Fuzz/client-corpus 2>&1 \
		| grep -E "^(Done|stat::number_of_executed_units|==.*ERROR)|SUMMARY" ; test $${PIPESTATUS[0]} -eq 0
	.build/fuzz-server-decoder -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 .build/fuzz-corpus/server Fuzz/server-corpus 2>&1 \
		| grep -E "^(Done|stat::number_of_executed_units|==.*ERROR)|SUMMARY" ; test $${PIPESTATUS[0]} -eq 0
	$(SWIFT) build --build-tests
	CONCORD_FUZZ_SECONDS=$(FUZZ_SECONDS) $(SWIFT) test --skip-build --filter PartnerEnvelopeFuzzTests 2>&1 \
		| grep -E "envelope fuzz|recorded an issue|Test run" ; test $${PIPESTATUS[0]} -eq 0

## Throughput against the references, in a release build (the gateway bench needs nats-server).
bench: build
	@command -v nats-server >/dev/null 2>&1 || apt-get install -y -qq nats-server </dev/null
	.build/release/concord bench bus
	.build/release/concord bench gateway
	.build/release/concord bench services
	.build/release/concord bench replay
	.build/release/concord bench feeds
	.build/release/concord bench console

clean:
	rm -rf .build
