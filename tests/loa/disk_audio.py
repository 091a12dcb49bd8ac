#!/usr/bin/env python3
"""disk_audio.py RAW CLIPDIR CLIP...: compare what SDL's disk audio driver
wrote (RAW: 16-bit mono samples at 16 kHz) with the named clips played one
after another ("gap" is 120 ms of silence). The silence the driver writes
before and after the sound is left out of both sides. Prints "ok SAMPLES"
and exits 0 when they match, else says where they differ."""
import struct
import sys
import wave


def strip(s):
    a, b = 0, len(s)
    while a < b and s[a] == 0:
        a += 1
    while b > a and s[b - 1] == 0:
        b -= 1
    return s[a:b]


raw = open(sys.argv[1], "rb").read()
got = strip(list(struct.unpack("<%dh" % (len(raw) // 2), raw[:len(raw) // 2 * 2])))
want = []
for name in sys.argv[3:]:
    if name == "gap":
        want += [0] * (16000 * 120 // 1000)
        continue
    w = wave.open("%s/%s.wav" % (sys.argv[2], name))
    assert w.getframerate() == 16000 and w.getnchannels() == 1
    assert w.getsampwidth() == 2
    frames = w.readframes(w.getnframes())
    want += list(struct.unpack("<%dh" % (len(frames) // 2), frames))
want = strip(want)
if got == want:
    print("ok %d" % len(got))
    sys.exit(0)
n = next((i for i in range(min(len(got), len(want))) if got[i] != want[i]),
         min(len(got), len(want)))
print("differ: got %d samples, want %d, first difference at %d"
      % (len(got), len(want), n))
sys.exit(1)
