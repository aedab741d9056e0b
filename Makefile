# Thin wrapper over CMake: the README's two Quick-start commands.
BUILD ?= build
PORT ?= 8080
PREFIX ?= /usr/local
JOBS ?= $(shell nproc)

# Quiet by default: compiler warnings and errors only, not a line per file
# and per target nor make's "Entering directory".  V=1 shows everything,
# every compiler command included.
ifeq ($(V),1)
CMAKE_MESSAGES = -DCMAKE_RULE_MESSAGES=ON
COMPILE = sh scripts/compile.sh -v
else
CMAKE_MESSAGES = -DCMAKE_RULE_MESSAGES=OFF
COMPILE = sh scripts/compile.sh
endif

.PHONY: all deps build test run sanitize clean install

all: build

deps:
	@sh scripts/deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_MESSAGES) >/dev/null
	@$(COMPILE) $(BUILD) $(JOBS)

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The programs, man pages, systemd unit and example config under PREFIX
# (make install PREFIX=/usr DESTDIR=/tmp/stage stages a package tree).
# The unit and config name absolute paths, so PREFIX is configured, not
# only given to cmake --install.
install: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX="$(PREFIX)" $(CMAKE_MESSAGES) >/dev/null
	@$(COMPILE) $(BUILD) $(JOBS)
	@DESTDIR="$(DESTDIR)" cmake --install $(BUILD)

# Index the sample corpus and serve it (search page and API) on PORT
# (make run PORT=8081); LECTERN_TOKEN=... make run enables writes.  The
# port is checked first: a second make run stops with what holds it.  The
# index is replaced in one rename once complete (--force), never removed
# under a server that reads it.
run: build
	@sh scripts/port-check.sh $(PORT)
	@$(BUILD)/lectern-index build --force --index $(BUILD)/corpus-index corpus/
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
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DLECTERN_SANITIZE=ON $(CMAKE_MESSAGES) >/dev/null
	@$(COMPILE) build-asan $(JOBS)
	@cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j $(JOBS) -LE eval

clean:
	rm -rf $(BUILD) build-asan
