# bx24presence: two commands do everything: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

# System libraries Qt needs (offscreen tests, a real X11 window, the tray host for tray tests,
# and tools for screenshots). Debian/Ubuntu package names.
SYS_PKGS := libegl1 libgl1 libglib2.0-0 libfontconfig1 libfreetype6 libx11-6 libxkbcommon0 \
	libdbus-1-3 fonts-dejavu-core xvfb xauth libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 \
	libxcb-image0 libxcb-keysyms1 libxcb-render-util0 libxcb-shape0 libxcb-xkb1 trayer \
	redis-server openssl
# (redis-server and openssl: the relay's tests run a real Redis with TLS, tests/relay/.)

# Validators for the desktop entry and metainfo (tests and CI), and the tools that trim Qt's
# ICU data in the bundle (packaging/trim_icu.py). Installed only by the targets that need them.
DESKTOP_PKGS := desktop-file-utils appstream
BUNDLE_PKGS  := binutils gcc icu-devtools
APP_ID       := io.github.bx24presence.bx24presence
BUNDLE_MAX_MB := 120

export DBUS_SESSION_BUS_ADDRESS := disabled:

.PHONY: demo test check sysdeps venv clean bench screenshots icons bundle install-desktop \
	uninstall-desktop wheel-selftest lint-workflows bench-relay translations

demo: $(VENV)/.installed
	$(BIN)/bx24presence --demo

test: $(VENV)/.installed
	@$(MAKE) --no-print-directory sysdeps SYS_PKGS="$(DESKTOP_PKGS)" || \
	  echo "(without them, the desktop entry and metainfo validator tests are skipped)"
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS)

check: $(VENV)/.installed
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q tests/core/test_layering.py

# Every benchmark against the demo portal (under 5 minutes): a table, and the figures as JSON
# in $$BENCH_JSON (default benchmarks/last-run.json); fails when a figure is over its budget.
bench: $(VENV)/.installed
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/run.py

# The office relay under load (about 4 minutes; SECONDS=180 READERS=200 to shorten).
bench-relay: $(VENV)/.installed
	$(BIN)/python benchmarks/bench_relay.py

# The app offscreen against a faulty demo portal for 30 minutes (SOAK_MINUTES=3 to shorten);
# fails on memory growth or a change in threads. Not part of `make test`.
.PHONY: soak
soak: $(VENV)/.installed
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/soak.py

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@$(MAKE) --no-print-directory sysdeps
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { \
	  echo "Could not create $(VENV). On Debian/Ubuntu: sudo apt-get install python3-venv"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	@touch $@

# The app icon's PNG sizes, .ico and .icns from its SVG source, and the contact sheets in docs/.
icons: $(VENV)/.installed
	QT_QPA_PLATFORM=offscreen $(BIN)/python packaging/make_icons.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python packaging/tray_sheet.py

# The Qt Linguist catalogs: lupdate brings resources/translations/*.ts up to date with the code
# (new texts unfinished, texts gone from the code dropped), lrelease compiles the .qm files the
# app loads (checked in), and Qt's own Russian texts are copied beside them.
translations: $(VENV)/.installed
	$(BIN)/python packaging/translations.py

# The one-folder PyInstaller app in dist/bx24presence/, its size, and its self-test.
bundle: $(VENV)/.installed
	@$(MAKE) --no-print-directory sysdeps SYS_PKGS="$(BUNDLE_PKGS)"
	$(BIN)/python -m pip install --quiet 'pyinstaller>=6.10'
	@start=$$(date +%s); \
	$(BIN)/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller \
	  packaging/bx24presence.spec || exit 1; \
	mb=$$(du -s --apparent-size --block-size=1M dist/bx24presence | cut -f1); \
	echo "bundle: dist/bx24presence is $$mb MB (budget $(BUNDLE_MAX_MB) MB), built in $$(( $$(date +%s) - start )) s"; \
	[ "$$mb" -le $(BUNDLE_MAX_MB) ] || { echo "bundle: over the $(BUNDLE_MAX_MB) MB budget"; exit 1; }
	cd / && env -i PATH=/usr/bin:/bin LANG=C.UTF-8 HOME="$$(mktemp -d)" QT_QPA_PLATFORM=offscreen \
	  "$(CURDIR)/dist/bx24presence/bx24presence" --self-test

# The menu entry, metainfo and icons for the current user ($$XDG_DATA_HOME or ~/.local/share).
# EXEC=/path/to/command chooses what the entry runs (default: this checkout's launcher).
install-desktop: $(VENV)/.installed
	$(BIN)/python packaging/desktop.py install $(if $(EXEC),--exec "$(EXEC)")

uninstall-desktop:
	$(if $(wildcard $(BIN)/python),$(BIN)/python,$(PYTHON)) packaging/desktop.py uninstall

# Build the wheel and sdist, check what they carry, install the wheel into a new venv outside
# the source tree and run its self-test from another directory.
wheel-selftest: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet build
	rm -rf dist/wheel && $(BIN)/python -m build --outdir dist/wheel . >/dev/null
	$(BIN)/python packaging/check_dist.py dist/wheel
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(PYTHON) -m venv "$$tmp/venv" && \
	"$$tmp/venv/bin/python" -m pip install --quiet dist/wheel/*.whl && \
	cd "$$tmp" && env -u PYTHONPATH QT_QPA_PLATFORM=offscreen HOME="$$tmp" \
	  "$$tmp/venv/bin/bx24presence" --self-test

# Lint the GitHub Actions workflows (JSON schema, then zizmor's checks).
lint-workflows: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet check-jsonschema zizmor
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	$(BIN)/zizmor --offline .github/workflows/

# Installs the missing system packages when run as root, otherwise prints the command to run.
sysdeps:
	@command -v dpkg-query >/dev/null || exit 0; \
	missing=""; for p in $(SYS_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if ! $(PYTHON) -c 'import ensurepip' 2>/dev/null; then missing="$$missing python3-venv"; fi; \
	[ -z "$$missing" ] && exit 0; \
	if [ "$$(id -u)" = 0 ]; then \
	  echo "Installing system packages Qt needs:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	else \
	  echo "Qt needs system packages that are missing. Run:"; \
	  echo "  sudo apt-get install -y$$missing"; \
	  exit 1; \
	fi

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
