#!/bin/sh
# test_deb.sh DEBDIR: install the built chopay-server package into a
# throwaway root (a copy-on-write overlay of this machine's /, booted with
# systemd in systemd-nspawn, own network namespace), start it with its
# unit, check /healthz, the hardening in force and restarts, stop it, purge
# it, and check that nothing is left but what is kept on purpose; then
# the kiosk's and the payment speaker's packages the same way (user,
# unit, key file condition, purge).
# Needs root, overlayfs and systemd-nspawn; this machine is not modified.
set -u

debdir=${1:?usage: test_deb.sh DEBDIR}
debdir=$(cd "$debdir" && pwd)

if [ "${CHOPAY_DEB_INNER:-}" != 1 ]; then
    fail_setup() {
        echo "test_deb: $*" >&2
        echo "0 passed, 1 failed"
        exit 1
    }
    [ "$(id -u)" -eq 0 ] || fail_setup "needs root (it boots a container)"
    if ! command -v systemd-nspawn >/dev/null; then
        echo "test_deb: installing systemd-container (systemd-nspawn)"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
            --no-install-recommends systemd-container >/dev/null 2>&1 ||
            fail_setup "cannot install systemd-container (systemd-nspawn)"
    fi
    command -v unshare >/dev/null || fail_setup "unshare (util-linux) missing"
    ls "$debdir"/chopay-server_*.deb >/dev/null 2>&1 ||
        fail_setup "no chopay-server_*.deb in $debdir: run make deb"
    # Everything below happens in a private mount namespace: the overlay,
    # the cgroup mount and the container vanish with it.
    work=$(mktemp -d /tmp/chopay-deb-XXXXXX) || exit 1
    CHOPAY_DEB_INNER=1 CHOPAY_DEB_WORK=$work \
        unshare --mount --propagation private sh "$0" "$debdir"
    rc=$?
    rmdir "$work" 2>/dev/null
    exit $rc
fi

pass=0
fail=0
check() { # check NAME COMMAND...: one result line per check
    name=$1
    shift
    if "$@" >/dev/null 2>&1; then
        pass=$((pass + 1))
        echo "ok   $name"
    else
        fail=$((fail + 1))
        echo "FAIL $name"
    fi
}

work=$CHOPAY_DEB_WORK
mount -t tmpfs -o mode=0755 tmpfs "$work" || exit 1
mkdir "$work/upper" "$work/work" "$work/root"
root="$work/root"
mount -t overlay overlay \
    -o "lowerdir=/,upperdir=$work/upper,workdir=$work/work" "$root" || {
    echo "test_deb: cannot mount an overlay of /" >&2
    echo "0 passed, 1 failed"
    exit 1
}
# systemd in the container wants the unified cgroup hierarchy.
if [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ]; then
    umount -R /sys/fs/cgroup 2>/dev/null
    mount -t cgroup2 none /sys/fs/cgroup
fi
rm -f "$root/etc/machine-id"
systemd-machine-id-setup --root="$root" >/dev/null 2>&1
# The package under test, reachable inside at a fixed path.
mkdir -p "$root/chopay-deb"
cp "$debdir"/chopay-server_*.deb "$debdir"/chopay-kiosk_*.deb \
    "$debdir"/chopay-loa_*.deb "$root/chopay-deb/"
# Keep the package's own service-start behaviour (the image may carry a
# policy-rc.d that forbids starting services, as Docker images do).
rm -f "$root/usr/sbin/policy-rc.d"

systemd-nspawn -q -D "$root" --boot --console=pipe --private-network \
    --register=no --keep-unit --link-journal=no \
    >"$work/boot.log" 2>&1 </dev/null &
nspawn=$!

in_ct() { # run a command in the container's namespaces
    nsenter -t "$ct" -a "$@"
}

# the container's systemd: nspawn's child named systemd (nspawn first
# forks a helper that exits once it has started it)
ct=""
i=0
while [ $i -lt 100 ] && [ -z "$ct" ]; do
    ct=$(pgrep -x -P "$nspawn" systemd | head -n 1)
    i=$((i + 1))
    [ -n "$ct" ] || sleep 0.1
done
state=""
i=0
# a loaded machine can take a minute to boot it
while [ -n "$ct" ] && [ $i -lt 180 ]; do
    state=$(in_ct systemctl is-system-running 2>/dev/null)
    case "$state" in running | degraded) break ;; esac
    i=$((i + 1))
    sleep 0.5
done
echo "container: systemd is $state"
check "container boots systemd" sh -c "test -n '$ct' &&
    case '$state' in running|degraded) true ;; *) false ;; esac"

deb=$(cd "$root/chopay-deb" && ls chopay-server_*.deb | head -n 1)
echo "installing $deb"
in_ct env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    "/chopay-deb/$deb" >"$work/install.log" 2>&1
check "apt-get install ./$deb" grep -q "Setting up chopay-server" \
    "$work/install.log"

health() { # health: /healthz answers {"status":"ok"} within 10 s
    j=0
    while [ $j -lt 50 ]; do
        if in_ct curl -fsS --max-time 2 http://127.0.0.1:8080/healthz \
            2>/dev/null | grep -q '"status": *"ok"'; then
            return 0
        fi
        j=$((j + 1))
        sleep 0.2
    done
    return 1
}
main_pid() {
    in_ct systemctl show -p MainPID --value chopay-server
}
proc_field() { # proc_field PID FIELD: a line of /proc/PID/status
    in_ct sh -c "grep '^$2:' /proc/$1/status" | awk '{print $2}'
}

check "system user chopay" in_ct getent passwd chopay
check "/var/lib/chopay owned by chopay, 0750" \
    test "$(in_ct stat -c %U:%a /var/lib/chopay)" = "chopay:750"
check "server.conf is a conffile" \
    sh -c "nsenter -t $ct -a dpkg-query -W -f='\${Conffiles}' chopay-server |
           grep -q /etc/chopay/server.conf"
check "unit enabled" in_ct systemctl is-enabled chopay-server
check "unit started by the install" in_ct systemctl is-active chopay-server
check "GET /healthz over the unit" health

pid=$(main_pid)
echo "main pid $pid"
check "runs as chopay" test "$(in_ct ps -o user= -p "$pid")" = chopay
check "no new privileges" test "$(proc_field "$pid" NoNewPrivs)" = 1
check "seccomp filter on" test "$(proc_field "$pid" Seccomp)" = 2
check "no effective capabilities" \
    test "$(proc_field "$pid" CapEff)" = 0000000000000000
check "no capability bounding set" \
    test "$(proc_field "$pid" CapBnd)" = 0000000000000000
check "/usr read-only in the server's namespace" \
    sh -c "! nsenter -t $ct -a nsenter -t $pid -m touch /usr/.chopay-probe"
check "/var/lib/chopay writable in the server's namespace" \
    sh -c "nsenter -t $ct -a nsenter -t $pid -m touch /var/lib/chopay/.probe &&
           nsenter -t $ct -a rm /var/lib/chopay/.probe"
in_ct systemd-analyze security --no-pager chopay-server \
    >"$work/security.txt" 2>&1
score=$(sed -n 's/.*Overall exposure level for chopay-server.service: \([0-9.]*\).*/\1/p' \
    "$work/security.txt")
echo "systemd-analyze security (live unit): ${score:-?}"
check "exposure level below 2.0" \
    awk -v s="${score:-99}" 'BEGIN { exit !(s < 2.0) }'

# The operator commands, as the chopay user, next to the running server.
check "chopay-server init as chopay" \
    in_ct runuser -u chopay -- chopay-server --config /etc/chopay/server.conf \
    init

# Restarts: by systemctl, and after a crash (Restart=on-failure).
in_ct systemctl restart chopay-server
check "healthy after systemctl restart" health
old=$(main_pid)
case "$old" in '' | 0 | 1) ;; *) in_ct kill -9 "$old" ;; esac
i=0
new=$old
while [ $i -lt 50 ]; do
    new=$(main_pid)
    [ "$new" != "$old" ] && [ "$new" != 0 ] && break
    i=$((i + 1))
    sleep 0.2
done
check "restarted after kill -9" test "$new" != "$old" -a "$new" != 0
check "healthy after the crash" health

in_ct systemctl stop chopay-server
check "stops" sh -c "! nsenter -t $ct -a systemctl is-active chopay-server"
check "server.addr removed on stop" test ! -e "$root/var/lib/chopay/server.addr"

in_ct env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q chopay-server \
    >"$work/purge.log" 2>&1
check "apt-get purge" sh -c "! nsenter -t $ct -a dpkg-query -W \
    -f='\${db:Status-Abbrev}' chopay-server 2>/dev/null | grep -q ."
check "/etc/chopay removed" test ! -e "$root/etc/chopay"
check "binary removed" test ! -e "$root/usr/bin/chopay-server"
check "unit file removed" test ! -e "$root/lib/systemd/system/chopay-server.service"
check "enable symlink removed" test ! -e \
    "$root/etc/systemd/system/multi-user.target.wants/chopay-server.service"
check "unit unknown to systemd after purge" sh -c \
    "nsenter -t $ct -a systemctl daemon-reload; \
     ! nsenter -t $ct -a systemctl cat chopay-server"

# What the throwaway root gained, by name: only the ledger (kept on purpose,
# see debian/chopay-server.postrm) and dpkg/apt/systemd bookkeeping.
left=$(cd "$work/upper" && find . -name '*chopay*' ! -path './chopay-deb*' \
    ! -path './var/lib/chopay' ! -path './var/lib/chopay/chopay.db' \
    ! -path './var/lib/chopay/chopay.db-wal' \
    ! -path './var/lib/chopay/chopay.db-shm' \
    ! -path './var/log/*' ! -path './var/cache/apt/*' ! -path './var/lib/apt/*' \
    ! -path './var/lib/dpkg/*' ! -path './var/lib/systemd/deb-systemd-helper*' \
    2>/dev/null)
echo "left after purge (besides the ledger): ${left:-nothing}"
check "nothing else left after purge" test -z "$left"
check "ledger kept: /var/lib/chopay/chopay.db" \
    test -f "$root/var/lib/chopay/chopay.db"
check "system user kept (Debian policy)" in_ct getent passwd chopay

# The kiosk package: its user and groups, a unit that is installed but
# neither enabled nor started (it takes over tty1), and that does not
# start without a key; purge removes its configuration.
kdeb=$(cd "$root/chopay-deb" && ls chopay-kiosk_*.deb | head -n 1)
in_ct env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    "/chopay-deb/$kdeb" >"$work/kinstall.log" 2>&1
check "apt-get install ./$kdeb" grep -q "Setting up chopay-kiosk" \
    "$work/kinstall.log"
groups=$(in_ct id -nG chopay-kiosk 2>/dev/null)
echo "chopay-kiosk groups: $groups"
check "kiosk user in video, render, input, audio" sh -c "
    for g in video render input audio; do
        echo ' $groups ' | grep -q \" \$g \" || exit 1
    done"
check "kiosk unit installed, not enabled" sh -c \
    "! nsenter -t $ct -a systemctl is-enabled chopay-kiosk"
check "kiosk unit not started" sh -c \
    "! nsenter -t $ct -a systemctl is-active chopay-kiosk"
in_ct systemctl start chopay-kiosk 2>/dev/null
check "kiosk does not start without /etc/chopay/kiosk.key" sh -c \
    "nsenter -t $ct -a systemctl show -p ConditionResult --value \
     chopay-kiosk | grep -qx no"
check "kiosk.conf is a conffile" \
    sh -c "nsenter -t $ct -a dpkg-query -W -f='\${Conffiles}' chopay-kiosk |
           grep -q /etc/chopay/kiosk.conf"
in_ct env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q chopay-kiosk \
    >>"$work/kinstall.log" 2>&1
check "kiosk purged, /etc/chopay gone" test ! -e "$root/etc/chopay" -a \
    ! -e "$root/usr/bin/chopay-kiosk" -a ! -e "$root/var/lib/chopay-kiosk"
kleft=$(cd "$work/upper" && find . -name '*chopay-kiosk*' \
    ! -path './chopay-deb*' ! -path './var/log/*' ! -path './var/cache/apt/*' \
    ! -path './var/lib/apt/*' ! -path './var/lib/dpkg/*' \
    ! -path './var/lib/systemd/deb-systemd-helper*' 2>/dev/null)
echo "left after kiosk purge: ${kleft:-nothing}"
check "nothing of the kiosk left after purge" test -z "$kleft"

# The payment speaker: its user in group audio, a unit that is enabled
# but does not start without the stall key, then runs hardened as
# chopay-loa once the key is there (retrying: no server answers in the
# container); purge removes its configuration and state.
ldeb=$(cd "$root/chopay-deb" && ls chopay-loa_*.deb | head -n 1)
in_ct env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    "/chopay-deb/$ldeb" >"$work/linstall.log" 2>&1
check "apt-get install ./$ldeb" grep -q "Setting up chopay-loa" \
    "$work/linstall.log"
check "speaker user in audio" sh -c \
    "nsenter -t $ct -a id -nG chopay-loa | tr ' ' '\\n' | grep -qx audio"
check "speaker unit enabled" in_ct systemctl is-enabled chopay-loa
check "speaker does not start without /etc/chopay/loa.key" sh -c \
    "nsenter -t $ct -a systemctl show -p ConditionResult --value \
     chopay-loa | grep -qx no"
check "loa.conf is a conffile" \
    sh -c "nsenter -t $ct -a dpkg-query -W -f='\${Conffiles}' chopay-loa |
           grep -q /etc/chopay/loa.conf"
check "speaker clips installed" test -f "$root/usr/share/chopay/loa/da-nhan.wav"
in_ct sh -c 'echo k_test > /etc/chopay/loa.key &&
    chown root:chopay-loa /etc/chopay/loa.key && chmod 0640 /etc/chopay/loa.key &&
    sed -i "s#^url = .*#url = http://127.0.0.1:9#" /etc/chopay/loa.conf'
in_ct systemctl restart chopay-loa
lpid=""
i=0
while [ $i -lt 50 ]; do
    lpid=$(in_ct systemctl show -p MainPID --value chopay-loa)
    case "$lpid" in '' | 0) ;; *) break ;; esac
    i=$((i + 1))
    sleep 0.2
done
check "speaker runs once the key is there" in_ct systemctl is-active chopay-loa
# its first log line may come a moment after the unit is active
check "speaker started: clips and audio loaded, polling" sh -c \
    "for i in \$(seq 50); do
         nsenter -t $ct -a journalctl -u chopay-loa --no-pager |
             grep -q 'chopay-loa: polling http://127.0.0.1:9 after id 0' &&
             exit 0
         sleep 0.2
     done; exit 1"
check "speaker runs as chopay-loa" \
    test "$(in_ct ps -o user= -p "${lpid:-0}")" = chopay-loa
check "speaker: no new privileges, seccomp" sh -c \
    "test '$(proc_field "${lpid:-0}" NoNewPrivs)' = 1 &&
     test '$(proc_field "${lpid:-0}" Seccomp)' = 2"
in_ct env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q chopay-loa \
    >>"$work/linstall.log" 2>&1
check "speaker purged, key and state gone" test ! -e "$root/etc/chopay" -a \
    ! -e "$root/usr/bin/chopay-loa" -a ! -e "$root/var/lib/chopay-loa"
lleft=$(cd "$work/upper" && find . -name '*chopay-loa*' \
    ! -path './chopay-deb*' ! -path './var/log/*' ! -path './var/cache/apt/*' \
    ! -path './var/lib/apt/*' ! -path './var/lib/dpkg/*' \
    ! -path './var/lib/systemd/deb-systemd-helper*' 2>/dev/null)
echo "left after speaker purge: ${lleft:-nothing}"
check "nothing of the speaker left after purge" test -z "$lleft"

if [ "$fail" -ne 0 ]; then
    for f in install purge kinstall linstall; do
        echo "--- $f.log"
        tail -n 20 "$work/$f.log"
    done
    echo "--- journal"
    in_ct journalctl -u chopay-server --no-pager 2>/dev/null | tail -n 20
fi
kill "$nspawn" 2>/dev/null
wait "$nspawn" 2>/dev/null
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
