#!/usr/bin/env python3
"""Generates queue-chime.wav: a short, soft two-tone chime (E5 then A5), mono 16-bit 22.05 kHz.

Run from this folder: `python3 make_chime.py`. Uses only the Python standard library.
"""
import math
import struct
import wave

RATE = 22050
NOTES = [(659.25, 0.00), (880.00, 0.16)]  # (frequency in Hz, start in s)
LENGTH_S = 0.62
PEAK = 0.45  # of full scale: pleasant, not startling


def sample(t: float) -> float:
    total = 0.0
    for freq, start in NOTES:
        dt = t - start
        if dt < 0:
            continue
        attack = min(1.0, dt / 0.006)  # 6 ms attack avoids a click
        decay = math.exp(-dt * 7.0)
        tone = math.sin(2 * math.pi * freq * dt) + 0.25 * math.sin(2 * math.pi * 2 * freq * dt)
        total += attack * decay * tone
    fade = min(1.0, (LENGTH_S - t) / 0.05)  # fade the tail to silence
    return total * fade


def main() -> None:
    frames = [sample(i / RATE) for i in range(int(LENGTH_S * RATE))]
    scale = PEAK / max(abs(s) for s in frames)
    data = b"".join(struct.pack("<h", int(s * scale * 32767)) for s in frames)
    with wave.open("queue-chime.wav", "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(data)


if __name__ == "__main__":
    main()
