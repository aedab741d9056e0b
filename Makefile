# Thin wrapper over CMake: the README's two Quick-start commands.
BUILD ?= build
PORT ?= 8080
JOBS ?= $(shell nproc)

.PHONY: all deps build test run sanitize clean

all: build

deps:
	@sh scripts/deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# Index the sample corpus and serve it (search page and API).
run: build
	@rm -rf $(BUILD)/corpus-index
	@$(BUILD)/lectern-index build --index $(BUILD)/corpus-index corpus/
	@if [ -x $(BUILD)/lectern-server ]; then \
	  echo "serving http://localhost:$(PORT)"; \
	  exec $(BUILD)/lectern-server --index $(BUILD)/corpus-index --port $(PORT); \
	else \
	  $(BUILD)/lectern search --index $(BUILD)/corpus-index "gender equality"; \
	fi

# The test suite under AddressSanitizer and UndefinedBehaviorSanitizer.
# The data-driven evaluations (label "eval": Cranfield, TED pruning, related
# lectures) run in `make test`; here they would only repeat the same code
# paths ten times slower.
sanitize: deps
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DLECTERN_SANITIZE=ON >/dev/null
	@cmake --build build-asan -j $(JOBS)
	@cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j $(JOBS) -LE eval

clean:
	rm -rf $(BUILD) build-asan
