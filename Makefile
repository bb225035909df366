.PHONY: run test install bench lint clean

run:  ## install, create the synthetic corpus if absent, open the workbench on 127.0.0.1:8501
	scripts/run.sh

test:  ## install with test extras and run lint + the default test suite
	scripts/test.sh

install:
	scripts/install.sh

bench:  ## benchmarks (print figures; see docs/PERFORMANCE.md)
	.venv/bin/pytest -m bench -p no:cacheprovider -s

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

clean:
	rm -rf .venv .glimpse .pytest_cache .ruff_cache
