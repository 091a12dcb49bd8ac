#!/bin/sh
# make_loa_clips.sh [DIR]: (re)make the payment speaker's word clips in
# DIR (default assets/loa): one WAV per word that an amount in words can
# hold, the phrase "đã nhận" and the confirmation beep, each 16 kHz mono
# 16-bit PCM, silence trimmed, peak-normalised. Speech is Debian's
# espeak-ng with its Vietnamese voice; sox converts and makes the beep.
# The file names are the ones loa/clips.c maps the words to. No dither
# (sox -D), so the same tools make the same files.
set -eu

dir=${1:-assets/loa}
for tool in espeak-ng sox; do
    command -v "$tool" >/dev/null 2>&1 || {
        echo "make_loa_clips: $tool missing (apt-get install espeak-ng sox)" >&2
        exit 1
    }
done
mkdir -p "$dir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# NAME TEXT: speak TEXT into DIR/NAME.wav.
say() {
    espeak-ng -v vi -s 140 -w "$tmp/raw.wav" "$2"
    sox -D "$tmp/raw.wav" -r 16000 -c 1 -b 16 -e signed-integer "$dir/$1.wav" \
        silence 1 0.01 0.5% reverse silence 1 0.01 0.5% reverse \
        norm -1 pad 0 0.04
}

say khong "không"
say mot "một"
say hai "hai"
say ba "ba"
say bon "bốn"
say nam "năm"
say sau "sáu"
say bay "bảy"
say tam "tám"
say chin "chín"
say muoi-huyen "mười"
say muoi "mươi"
say mot-sac "mốt"
say tu "tư"
say lam "lăm"
say linh "linh"
say tram "trăm"
say nghin "nghìn"
say trieu "triệu"
say ty "tỷ"
say dong "đồng"
say am "âm"
say da-nhan "đã nhận"

# The confirmation beep: two short rising tones.
sox -D -n -r 16000 -c 1 -b 16 -e signed-integer "$tmp/a.wav" \
    synth 0.09 sine 1320 fade 0.005 0.09 0.02 vol 0.6
sox -D -n -r 16000 -c 1 -b 16 -e signed-integer "$tmp/b.wav" \
    synth 0.14 sine 1760 fade 0.005 0.14 0.04 vol 0.6
sox -D "$tmp/a.wav" "$tmp/b.wav" "$dir/beep.wav" pad 0 0.15
set -- "$dir"/*.wav
echo "make_loa_clips: $# clips in $dir"
