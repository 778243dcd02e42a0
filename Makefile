# Concord: `make up` runs everything in one process, `make test` runs the tests.
SWIFT ?= swift
DATA ?= ./data

.PHONY: up test build deps bench clean

deps:
	@./scripts/install-deps.sh

build: deps
	$(SWIFT) build -c release --product concord

## Installs what is missing, builds, and runs the bus and every service on $(DATA).
up: build
	.build/release/concord up --data $(DATA)

## Installs what is missing, builds once, runs every test.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) build --product concord
	$(SWIFT) test --skip-build

## Throughput against the raw reference, in a release build.
bench: build
	.build/release/concord bench bus

clean:
	rm -rf .build
