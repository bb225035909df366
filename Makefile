.PHONY: run test install bench lint clean

run:  ## install, create the synthetic corpus if absent, open the workbench on 127.0.0.1:8501
	scripts/run.sh

test:  ## install with test extras and run lint + the default test suite
	scripts/test.sh

install:
	scripts/install.sh

bench:  ## every benchmark script (prints figures; see docs/PERFORMANCE.md for each command and its result)
	for script in benchmarks/bench_*.py; do echo "==> $$script"; .venv/bin/python $$script || exit 1; done

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

clean:
	rm -rf .venv .glimpse .pytest_cache .ruff_cache
