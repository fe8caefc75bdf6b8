# Sourced by demo.sh and test.sh: installs the Debian packages Porpoise needs, only if missing.
# Usage: install_deps build|run|test|bench
porpoise_packages() {
  # Headers for building (scrap's xcb, enigo's xdo, rodio's ALSA, zbus needs none).
  local build="pkg-config libxcb1-dev libxcb-shm0-dev libxcb-randr0-dev libxkbcommon-dev libasound2-dev libdbus-1-dev libxdo-dev libxi-dev libxtst-dev"
  # An X server and X tools, GL for eframe's glow renderer, D-Bus for tray and notifications.
  local x11="xvfb xauth x11-utils x11-xserver-utils xdotool xterm imagemagick dbus dbus-x11 libegl1 libgl1-mesa-dri"
  case "$1" in
    # The demo also wants a CJK terminal font for the customer's desktop xterm.
    run) echo "$build $x11 fonts-noto-cjk" ;;
    # Tests register a tray item with a real StatusNotifierWatcher; xclip checks the clipboard.
    # poppler-utils: pdftotext reads back the agent's PDF transcripts (A7).
    # fonts-wqy-microhei: the agent's system CJK fallback font (5 MB); the UI tests need its
    # symbols (e.g. ▼, which neither egui's fonts nor the bundled subset have).
    test) echo "$build $x11 haskell-status-notifier-item-utils xclip poppler-utils fonts-wqy-microhei" ;;
    # porpoise-codec-bench compares with ffmpeg's libx264/libvpx-vp9 and plays a clip with
    # ffplay (both in the ffmpeg package); porpoise-latency-bench needs only the X tools.
    bench) echo "$build $x11 ffmpeg" ;;
    *) echo "$build" ;;
  esac
}

install_deps() {
  local missing=()
  for p in $(porpoise_packages "$1"); do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing missing Debian packages: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  if ! command -v cargo >/dev/null; then
    echo "cargo not found: install Rust with rustup (https://rustup.rs) first" >&2
    exit 1
  fi
}

# The Rust tools of the style checks in scripts/test.sh, only if missing: rustfmt and clippy
# (rustup components) and cargo-deny (built from crates.io, ~2 min on 2 cores with the cheaper
# release settings below instead of its own fat LTO and one codegen unit, ~4 min).
CARGO_DENY_VERSION=0.20.2
install_rust_tools() {
  local missing=()
  cargo fmt --version >/dev/null 2>&1 || missing+=(rustfmt)
  cargo clippy --version >/dev/null 2>&1 || missing+=(clippy)
  if [ ${#missing[@]} -gt 0 ]; then
    if ! command -v rustup >/dev/null; then
      echo "missing Rust components ${missing[*]} and no rustup to install them" >&2
      exit 1
    fi
    echo "Installing Rust components: ${missing[*]}"
    rustup component add "${missing[@]}"
  fi
  if ! cargo deny --version 2>/dev/null | grep -q "cargo-deny $CARGO_DENY_VERSION"; then
    echo "Installing cargo-deny $CARGO_DENY_VERSION"
    # Its own target directory (not the workspace's), removed afterwards.
    local build
    build="$(mktemp -d)"
    CARGO_TARGET_DIR="$build" CARGO_PROFILE_RELEASE_LTO=false \
      CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_OPT_LEVEL=1 \
      CARGO_PROFILE_RELEASE_DEBUG=false CARGO_INCREMENTAL=0 \
      cargo install cargo-deny --version "$CARGO_DENY_VERSION" --locked --quiet
    rm -rf "$build"
  fi
}
