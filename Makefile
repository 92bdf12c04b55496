# The project's two commands are `make dev` and `make test`; see README.md.
.PHONY: dev test check build router bench stress fmt

dev:
	@bash scripts/dev.sh

test:
	@bash scripts/test.sh

# The quick loop while coding: formatting, lints and the unit tests (no database).
check:
	@bash scripts/check.sh

build:
	cargo build --workspace --bins

router: build
	@bash -c 'source scripts/lib.sh && sync_router'

bench:
	@bash scripts/bench.sh

stress:
	@bash scripts/stress.sh

fmt:
	cargo fmt --all
