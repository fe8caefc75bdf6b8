# Sourced by demo.sh and test.sh: installs the Debian packages Porpoise needs, only if missing.
# Usage: install_deps build|run|test
porpoise_packages() {
  local build="pkg-config libxcb1-dev libxcb-shm0-dev libxcb-randr0-dev libxkbcommon-dev libasound2-dev libdbus-1-dev libxdo-dev libxi-dev libxtst-dev"
  local run="xvfb xauth x11-utils x11-xserver-utils xdotool xterm imagemagick dbus dbus-x11 libegl1 libgl1-mesa-dri fonts-noto-cjk"
  local test="dunst haskell-status-notifier-item-utils"
  case "$1" in
    build) echo "$build" ;;
    run) echo "$build $run" ;;
    test) echo "$build $run $test" ;;
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
