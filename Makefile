# The project's two commands are `make dev` and `make test`; see README.md.
.PHONY: dev test build router bench stress fmt

dev:
	@bash scripts/dev.sh

test:
	@bash scripts/test.sh

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
