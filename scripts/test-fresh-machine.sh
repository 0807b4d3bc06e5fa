#!/usr/bin/env bash
# Proves the README's quick start on a fresh machine: a minimal Debian 12 root file system
# (debootstrap --variant=minbase from the mirror this host's apt uses; cached by its inputs) runs
# as a container with its own /var/lib/docker, no sudo, no systemd, no docker0, no kvm group, no
# libvirt-qemu user and no sshd host keys yet. The checkout is copied in and the README's first
# command runs exactly as written. Then:
#   - `bash scripts/setup-host.sh --check` must be green,
#   - a second run must change nothing,
#   - a step made to fail (TESTBED_SETUP_FAIL_AT) must print the step, the command and its line,
#   - a non-root user must be refused with a message that says how to run it.
# Afterwards nothing of it is left on the host (container, network, volume, image) but the cached
# root file system. Exit status 0 only when every check held.
#
#   bash scripts/test-fresh-machine.sh                 set-up part only (packages, daemons, sshd)
#   bash scripts/test-fresh-machine.sh --run-example   the README's first command with its main job
#
# Needs root and a running Docker engine (scripts/setup-host.sh starts one); installs
# debootstrap when missing. The cache lives in /var/cache/testbed/fresh-root.
set -Eeuo pipefail
export LC_ALL=C

readonly SUITE=bookworm
readonly VARIANT=minbase
readonly CACHE_DIR=/var/cache/testbed/fresh-root
# The outer container's network. Inside, the set-up gives docker0 198.19.255.1/24, so the
# container's own subnet must differ; it stays inside Testbed's range 198.18.0.0/15, below
# dockerd's pool (198.19.248.0/21) and far above the /24s leased from 198.18.0.0 upwards. The
# first of these that no route or Docker network of this host uses is taken, so that builds and
# tests running at the same time keep theirs.
readonly OUTER_SUBNETS=(198.19.240.0/24 198.19.241.0/24 198.19.242.0/24 198.19.244.0/24 198.19.246.0/24)
readonly WORK_DIR_IN_ROOT=/srv/testbed # libvirt-qemu can pass /srv (not /root: 0700)

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
readonly REPO_DIR
readonly NAME=testbed-fresh-$$

run_example=false
failures=0
image=""
started=$SECONDS

say() { printf '[fresh-machine] %s\n' "$*"; }
fail() {
  failures=$((failures + 1))
  printf '[fresh-machine] FAILED: %s\n' "$*" >&2
}
trap 'printf "[fresh-machine] error: command failed with status %s at line %s: %s\n" "$?" "$LINENO" "$BASH_COMMAND" >&2' ERR

for arg in "$@"; do
  case $arg in
    --run-example) run_example=true ;;
    -h | --help)
      awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "${BASH_SOURCE[0]}"
      exit 0
      ;;
    *)
      echo "unknown argument '$arg' (see --help)" >&2
      exit 2
      ;;
  esac
done
((EUID == 0)) || {
  echo "must run as root" >&2
  exit 2
}
docker info >/dev/null 2>&1 || {
  echo "no Docker engine answers: run scripts/setup-host.sh first" >&2
  exit 2
}

# The first Debian mirror of this host's apt sources (deb822 or one-line format).
debian_mirror() {
  local uri
  uri=$(awk '/^URIs:/ && $2 !~ /security/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  [[ -n $uri ]] || uri=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }' \
    /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)
  echo "${uri:-http://deb.debian.org/debian}"
}

# Docker 20.10 knows capabilities 0-37; --privileged and --cap-add ALL are refused where the
# host's bounding set lacks one (CAP_SYS_RESOURCE here), so every one the host has is named.
capability_flags() {
  local names=(CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP
    LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER SYS_MODULE
    SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE SYS_RESOURCE SYS_TIME
    SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP MAC_OVERRIDE MAC_ADMIN SYSLOG
    WAKE_ALARM BLOCK_SUSPEND AUDIT_READ)
  local bounding i
  bounding=$((16#$(awk '/^CapBnd:/ { print $2 }' /proc/self/status)))
  for i in "${!names[@]}"; do
    if (((bounding >> i) & 1)); then printf -- '--cap-add=%s\n' "${names[$i]}"; fi
  done
}

cleanup() {
  local status=$?
  trap - ERR
  docker rm -f -v "$NAME" >/dev/null 2>&1 || true
  docker network rm "$NAME" >/dev/null 2>&1 || true
  [[ -z $image ]] || docker image rm "$image" >/dev/null 2>&1 || true
  local left
  left=$(
    docker ps -a --filter "name=$NAME" -q
    docker network ls --filter "name=$NAME" -q
    [[ -z $image ]] || docker image ls -q "$image"
  )
  if [[ -n $left ]]; then
    echo "[fresh-machine] FAILED: left on the host after clean-up: $left" >&2
    status=1
  fi
  exit "$status"
}
trap cleanup EXIT

# ---- the root file system, cached by its inputs -------------------------------------------

command -v debootstrap >/dev/null || {
  say "installing debootstrap"
  DEBIAN_FRONTEND=noninteractive apt-get install -y debootstrap >/dev/null 2>&1 ||
    { apt-get update >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y debootstrap >/dev/null; }
}
mirror=$(debian_mirror)
key=$(printf 'suite=%s variant=%s mirror=%s debootstrap=%s arch=%s\n' "$SUITE" "$VARIANT" "$mirror" \
  "$(dpkg-query -W -f='${Version}' debootstrap)" "$(dpkg --print-architecture)" | sha256sum | cut -c1-16)
rootfs=$CACHE_DIR/$SUITE-$VARIANT-$key.tar
mkdir -p "$CACHE_DIR"
exec 9>"$CACHE_DIR/.lock"
flock 9 # two runs at once build it once
if [[ -s $rootfs ]]; then
  say "root file system: cached $rootfs"
else
  say "root file system: debootstrap --variant=$VARIANT $SUITE from $mirror (cached afterwards as $rootfs)"
  build=$(mktemp -d "$CACHE_DIR/build.XXXXXX")
  t0=$SECONDS
  if ! debootstrap --variant="$VARIANT" "$SUITE" "$build/root" "$mirror" >"$build/debootstrap.log" 2>&1; then
    tail -n 20 "$build/debootstrap.log" >&2
    rm -rf "$build"
    echo "[fresh-machine] debootstrap failed (log above)" >&2
    exit 1
  fi
  # The same apt sources as a freshly installed machine of this mirror.
  printf 'deb %s %s main\ndeb %s %s-updates main\n' "$mirror" "$SUITE" "$mirror" "$SUITE" >"$build/root/etc/apt/sources.list"
  tar -C "$build/root" -cf "$build/rootfs.tar" .
  mv "$build/rootfs.tar" "$rootfs"
  rm -rf "$build"
  say "root file system: built in $((SECONDS - t0)) s ($(du -h "$rootfs" | cut -f1))"
fi
flock -u 9

# ---- the fresh machine --------------------------------------------------------------------

image=testbed-fresh-root:$key-$$
docker import "$rootfs" "$image" >/dev/null
outer_subnet=""
for candidate in "${OUTER_SUBNETS[@]}"; do
  [[ $(ip -4 route show) != *"${candidate%.0/24}."* ]] || continue
  if docker network create --subnet "$candidate" "$NAME" >/dev/null 2>&1; then
    outer_subnet=$candidate
    break
  fi
done
[[ -n $outer_subnet ]] || {
  echo "[fresh-machine] no free subnet for the fresh root's network among ${OUTER_SUBNETS[*]}" >&2
  exit 1
}
say "the fresh root's network: $outer_subnet"
mapfile -t caps < <(capability_flags)
# --init: a real machine's PID 1 reaps orphans; without one, libvirtd waits forever on the
# zombies of its QEMU capability probes. systempaths=unconfined: /proc/sys writable, as on a
# machine (libvirt sets the bridge's sysctls when it creates a network). A writable cgroup
# hierarchy: libvirt puts each QEMU into its own cgroup, and removes it when the VM is destroyed.
docker run -d --init --name "$NAME" --hostname fresh --network "$NAME" "${caps[@]}" \
  --security-opt seccomp=unconfined --security-opt apparmor=unconfined --security-opt systempaths=unconfined \
  --device /dev/net/tun -v /var/lib/docker -v /var/lib/libvirt -v /sys/fs/cgroup:/sys/fs/cgroup:rw \
  "$image" sleep infinity >/dev/null

# Facts a fresh machine has, checked so that the test cannot pass on a prepared one.
for absent in "command -v sudo" "command -v dockerd" "command -v virsh" "ip link show docker0" \
  "getent group kvm" "id libvirt-qemu" "test -e /etc/ssh/ssh_host_ed25519_key" "test -d /etc/docker"; do
  if docker exec "$NAME" sh -c "$absent" >/dev/null 2>&1; then
    fail "the fresh root is not fresh: '$absent' succeeds"
  fi
done

# What Docker's own Debian images do: dpkg skips its fsyncs (the root is thrown away afterwards);
# it halves the package installation under load and changes nothing that is installed.
docker exec "$NAME" sh -c 'echo force-unsafe-io >/etc/dpkg/dpkg.cfg.d/docker-apt-speedup'

# The certificate authorities this host's network needs (an egress proxy's own CA, say) are part
# of the network the machine sits in, not of the set-up: the fresh root trusts them as the host
# does, picked up by update-ca-certificates when the set-up installs ca-certificates.
if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
  docker exec "$NAME" mkdir -p /usr/local/share/ca-certificates
  for ca in /usr/local/share/ca-certificates/*.crt; do docker cp "$ca" "$NAME:/usr/local/share/ca-certificates/" >/dev/null; done
fi

# The checkout, as a clean clone has it (tracked files plus new, not ignored ones).
docker exec "$NAME" mkdir -p "$WORK_DIR_IN_ROOT"
git -C "$REPO_DIR" ls-files -z --cached --others --exclude-standard |
  (cd "$REPO_DIR" && tar --null --ignore-failed-read -T - -cf - 2>/dev/null) |
  docker exec -i "$NAME" tar -xf - -C "$WORK_DIR_IN_ROOT"

in_root() { docker exec -w "$WORK_DIR_IN_ROOT" "$@"; }
prefixed() { sed -u 's/^/  | /'; }

# 1. The README's first command, verbatim.
first_command=(bash scripts/setup-host.sh)
$run_example && first_command+=(--run-example)
say "running the README's first command in the fresh root: ${first_command[*]}"
t0=$SECONDS
if in_root "$NAME" "${first_command[@]}" 2>&1 | prefixed; then
  say "first command passed in $((SECONDS - t0)) s"
else
  fail "the README's first command (${first_command[*]}) failed on a fresh root"
fi

# 2. --check is green afterwards.
if out=$(in_root "$NAME" bash scripts/setup-host.sh --check 2>&1); then
  say "--check green: $(tail -n 1 <<<"$out")"
else
  printf '%s\n' "$out" | prefixed
  fail "setup-host.sh --check is not green after the set-up"
fi

# 3. A second run changes nothing.
if out=$(in_root "$NAME" bash scripts/setup-host.sh 2>&1) && grep -q 'nothing changed' <<<"$out"; then
  say "second run: $(tail -n 1 <<<"$out")"
else
  printf '%s\n' "$out" | prefixed
  fail "a second run of setup-host.sh changed something or failed"
fi

# 4. A failing step is reported with the step, the command and the line.
if out=$(in_root -e TESTBED_SETUP_FAIL_AT=sshd "$NAME" bash scripts/setup-host.sh 2>&1); then
  fail "TESTBED_SETUP_FAIL_AT=sshd: the script exited 0"
elif grep -q '^error: *step sshd: command failed with status 1' <<<"$out" &&
  grep -q 'at scripts/setup-host.sh line [0-9]' <<<"$out" && grep -q 'read /var/log/testbed-sshd.log' <<<"$out"; then
  say "injected failure reported: $(grep -m1 '^error:' <<<"$out")"
else
  printf '%s\n' "$out" | prefixed
  fail "TESTBED_SETUP_FAIL_AT=sshd: no step/command/line/log in the output"
fi

# 5. Not root: refused, saying how to run it (the fresh root has no sudo).
if out=$(docker exec -u nobody -w "$WORK_DIR_IN_ROOT" "$NAME" bash scripts/setup-host.sh 2>&1); then
  fail "setup-host.sh as user nobody exited 0"
elif grep -q "must run as root.*sudo is not installed.*su -" <<<"$out"; then
  say "non-root refused: $(head -n 1 <<<"$out")"
else
  printf '%s\n' "$out" | prefixed
  fail "setup-host.sh as user nobody: no clear refusal"
fi

if ((failures == 0)); then
  say "passed in $((SECONDS - started)) s"
else
  say "$failures check(s) failed"
  exit 1
fi
