#!/usr/bin/env python3
"""gen_sounds.py: writes assets/kiosk-paid.wav, the kiosk's "paid" sound:
a two-note chime (E6 then A6 with a decaying envelope and a soft second
harmonic), 16-bit mono PCM at 22050 Hz, about 0.6 s (26 KB). Deterministic:
running it again gives the same bytes.  usage: gen_sounds.py [OUT.wav]
"""
import math
import struct
import sys
import wave

RATE = 22050


def note(freq, start, length, samples):
    for i in range(int(length * RATE)):
        t = i / RATE
        env = math.exp(-t * 6.0) * min(1.0, t * 400)
        v = env * (0.7 * math.sin(2 * math.pi * freq * t) +
                   0.2 * math.sin(4 * math.pi * freq * t))
        j = int(start * RATE) + i
        if j < len(samples):
            samples[j] += v


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "assets/kiosk-paid.wav"
    samples = [0.0] * int(0.6 * RATE)
    note(1318.5, 0.0, 0.6, samples)
    note(1760.0, 0.12, 0.48, samples)
    peak = max(abs(s) for s in samples) or 1.0
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(b"".join(struct.pack("<h", int(s / peak * 26000))
                               for s in samples))


if __name__ == "__main__":
    main()
