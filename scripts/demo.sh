#!/usr/bin/env bash
# The Porpoise demo: a relay with an embedded SQLite database and the demo center 8000001, the
# agent console logged in as agent1, and a customer helper asking for service, all on this
# machine. Without a display it runs everything under a private Xvfb and says how to look.
# Stop with Ctrl+C. Environment: PORPOISE_DEMO_DIR (data, default ./demo-data),
# PORPOISE_DEMO_PORT (UDP, default 18000), PORPOISE_LANG (zh-CN or en).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
install_deps run

DATA="${PORPOISE_DEMO_DIR:-$PWD/demo-data}"
PORT="${PORPOISE_DEMO_PORT:-18000}"
mkdir -p "$DATA"
cargo build --workspace --bins
BIN="$PWD/target/debug"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

if [ -z "${DISPLAY:-}" ]; then
  XDG_RUNTIME_DIR="$(mktemp -d)"; chmod 700 "$XDG_RUNTIME_DIR"; export XDG_RUNTIME_DIR
  exec 3< <(Xvfb -displayfd 1 -screen 0 1920x1080x24 -nolisten tcp 2>/dev/null)
  read -r num <&3
  export DISPLAY=":$num"
  headless=1
fi
export ALSA_CONFIG_PATH="${ALSA_CONFIG_PATH:-/usr/share/alsa/alsa.conf:$PWD/scripts/asound-null.conf}"

"$BIN/porpoise-relay" --listen "127.0.0.1:$PORT" --data-dir "$DATA/relay" --demo \
  --helper-dir "$BIN" > "$DATA/relay.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q '^fingerprint ' "$DATA/relay.log" 2>/dev/null && break; sleep 0.1; done
FP="$(grep -m1 '^fingerprint ' "$DATA/relay.log" | cut -d' ' -f2)"
[ -n "$FP" ] || { cat "$DATA/relay.log"; echo "relay did not start" >&2; exit 1; }

# Something on the customer's desktop for the agent to look at.
xterm -geometry 70x16+1300+700 -bg '#1d3b53' -fg white -fa 'Noto Sans Mono CJK SC' -fs 11 \
  -T "Customer desktop" -e sh -c 'echo "客户的桌面 — the customer'"'"'s desktop"; echo; exec sh' &
pids+=($!)
PORPOISE_PASSWORD=porpoise-demo "$BIN/porpoise-agent" --relay "127.0.0.1:$PORT" --fingerprint "$FP" \
  --center 8000001 --username agent1 --auto-login --window-pos 0,0 > "$DATA/agent.log" 2>&1 &
pids+=($!)
sleep 1
"$BIN/porpoise-helper" --relay "127.0.0.1:$PORT" --fingerprint "$FP" --center 8000001 \
  --name "张三" --phone 13800138000 --auto-request --data-dir "$DATA/helper" --window-pos 1300,0 \
  > "$DATA/helper.log" 2>&1 &
pids+=($!)

cat <<TXT
Porpoise demo is running.
  relay:    127.0.0.1:$PORT (UDP), fingerprint $FP, data in $DATA/relay
  center:   8000001, accounts admin / agent1 / agent2, password porpoise-demo
  agent console logged in as agent1; customer helper "张三" is in the queue.
  download: https://localhost:$PORT/c/8000001/ (self-signed; pin $FP) — the downloaded
            helper needs no flags: relay, center and branding are in its signed trailer.
TXT
if [ -n "${headless:-}" ]; then
  cat <<TXT
  No display was set, so everything runs on a private X server $DISPLAY. To look:
    DISPLAY=$DISPLAY import -window root porpoise-demo.png    # screenshot
    DISPLAY=$DISPLAY xdotool ...                               # click and type
TXT
fi
echo "Logs in $DATA/*.log. Ctrl+C stops everything."
wait "${pids[0]}"
