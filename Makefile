## huella — `make help` lists the targets.
GO ?= go
export CGO_ENABLED=0

build: ## build ./huella (static)
	$(GO) build -trimpath -o huella ./cmd/huella

test: ## run the tests (what CI runs)
	$(GO) test ./...

cross: ## build for Linux, macOS and Windows
	for t in linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64; do \
	  GOOS=$${t%/*} GOARCH=$${t#*/} $(GO) build -trimpath -ldflags "-s -w" -o dist/huella-$${t%/*}-$${t#*/} ./cmd/huella; done

fuzz: ## run every fuzz target (campaign: FUZZTIME=10m LANES=2)
	FUZZTIME=$(or $(FUZZTIME),1m) LANES=$(or $(LANES),1) scripts/fuzz.sh

mutate: ## apply each mutation in scripts/mutate/mutations.tsv to a scratch copy and run its package's tests
	$(GO) run ./scripts/mutate $(if $(RUN),-run '$(RUN)') $(if $(MD),-md '$(MD)')

bench: ## benchmark corpora 10k/100k/1M and micro-benchmarks; prints a table
	bench/run.sh

bench-hunt: ## case-store scale benchmark: 1,000 cases x 100,000 observations, a new feed hunted (ENGINE=postgres for PostgreSQL)
	bench/hunt.sh

precision: ## the rules on real data: popular domains, every feed's domains, a real iPhone's file list
	bench/precision.sh

screenshots: ## refresh docs/report-*.png from the demo's report at phone and desktop width (needs chromium)
	HUELLA_SCREENSHOTS=out/screenshots $(GO) test -count=1 -run TestDemoReport ./test/browser
	cp out/screenshots/demo-en-phone.png docs/report-phone.png
	cp out/screenshots/demo-en-desktop.png docs/report-desktop.png

golden: ## rewrite golden files after a deliberate output change
	$(GO) test ./... -update

help:
	@grep -E '^[a-z]+:.*## ' Makefile | sed -E 's/:.*## /\t/'

.PHONY: build test cross fuzz mutate bench bench-hunt precision screenshots golden help
