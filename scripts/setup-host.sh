#!/usr/bin/env bash
# Prepares a Debian/Ubuntu host for Testbed: installs what is missing, makes /dev/kvm usable by
# QEMU, starts virtlogd, libvirtd, dockerd and the test sshd, and creates the shared directories.
# Runs as root and needs no systemd (every daemon is then started directly; where systemd runs,
# its units are used). Idempotent: a second run changes nothing and says so. Every line of
# output is "<state>: <item>: <detail>", state being ok, done, warn, missing (--check) or error.
#
# Run it as root (a root shell, or through sudo where sudo exists):
#
#   bash scripts/setup-host.sh                 set the host up
#   bash scripts/setup-host.sh --check         report each item's state, change nothing;
#                                              exit 1 if something is missing or wrong
#   bash scripts/setup-host.sh --only=STEP     only that step (after the preconditions), e.g.
#                                              --only=libvirt starts libvirtd again after it died
#   bash scripts/setup-host.sh --run-example   set up, then run the main job (MAIN_JOB): two
#                                              example classes boot real VMs, talk over a
#                                              leased network and revert between tests
#
# Any unexpected failure stops the script with the step, the failing command, its line and the
# log to read. TESTBED_SETUP_FAIL_AT=<step> makes that step fail on purpose (to test exactly that).
set -Eeuo pipefail
export LC_ALL=C # virsh and apt output is parsed

# The main job of --run-example: builds what example-tests needs and runs two of its integration
# tests against real VMs (no unit tests: -Dtest=NONE; the other modules' ITs: none match -Dit.test).
# Their progress lines ("[testbed] ...": what boots, how long, each test's commands and revert)
# show in Maven's output. It also packages the testbed command (cli/target/testbed-cli.jar). Every example: the same with -Dit.test='io.testbed.examples.*IT'.
readonly MAIN_JOB_TESTS=TwoVmsTalkIT,RevertBetweenTestsIT
MAIN_JOB=(mvn -B -ntp verify -pl example-tests,cli -am -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false
  "-Dit.test=$MAIN_JOB_TESTS" -Dfailsafe.failIfNoSpecifiedTests=false)

readonly PACKAGES=(qemu-system-x86 qemu-utils libvirt-daemon-system libvirt-clients dnsmasq-base
  docker.io openssh-server genisoimage e2fsprogs cpio iproute2 iptables nftables kmod busybox-static procps
  chromium chromium-driver bash-completion)
readonly JDK_PACKAGE=openjdk-17-jdk-headless   # only if java/javac are missing
readonly MAVEN_PACKAGE=maven                   # only if mvn is missing
readonly APT_LOG=/var/log/testbed-apt.log

readonly LIBVIRT_URI=qemu:///system
readonly QEMU_USER=libvirt-qemu
readonly LIBVIRTD_LOG=/var/log/testbed-libvirtd.log
# Remote libvirt (qemu+ssh://, README "Remote libvirt"): a non-root SSH user reaches libvirtd's
# read-write socket only through this group; polkit, the default, needs a system D-Bus.
readonly LIBVIRTD_CONF=/etc/libvirt/libvirtd.conf
readonly LIBVIRT_GROUP=libvirt
readonly LIBVIRTD_SOCKET_SETTINGS=("unix_sock_group=\"$LIBVIRT_GROUP\"" 'unix_sock_rw_perms="0770"' 'auth_unix_rw="none"')
# libvirt's "default" network is 192.168.122.0/24, a range Testbed must never bring up.
readonly DEFAULT_NET=default
readonly DEFAULT_NET_AUTOSTART_LINK=/etc/libvirt/qemu/networks/autostart/$DEFAULT_NET.xml

# Docker's own bridge and its pool for networks created without a subnet stay inside Testbed's
# range 198.18.0.0/15, at its top end, away from the /24s leased from the bottom.
readonly DOCKER_BIP=198.19.255.1/24
readonly DOCKER_POOL=base=198.19.248.0/21,size=24
readonly DOCKERD_LOG=/var/log/testbed-dockerd.log
readonly DOCKER_DAEMON_JSON=/etc/docker/daemon.json

# The test sshd the SSH integration tests log in to (README.md, "The test sshd").
readonly SSHD_DIR=/etc/testbed/sshd
readonly SSHD_CONFIG=$SSHD_DIR/sshd_config
readonly SSHD_HOST_KEY=$SSHD_DIR/ssh_host_ed25519_key
readonly SSHD_KEYS_DIR=$SSHD_DIR/authorized_keys
readonly SSHD_PID_FILE=/run/testbed-sshd.pid
readonly SSHD_USER=testbed
readonly SSHD_HOME=/home/testbed
readonly SSHD_PORT=2222
readonly SSHD_LOG=/var/log/testbed-sshd.log

# The testbed command (README, "The testbed command"): a launcher on the PATH, its completion.
readonly TESTBED_LINK=/usr/local/bin/testbed
readonly COMPLETION_FILE=/etc/bash_completion.d/testbed

readonly TEMPLATE_CACHE=/var/cache/testbed
readonly LEASES_DIR=/var/tmp/testbed/leases

readonly WAIT_SECONDS=60

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
readonly REPO_DIR

check_only=false
run_example=false
only_step=""
n_done=0
n_ok=0
n_missing=0
n_warn=0

# ---- output -------------------------------------------------------------------------------

line() { printf '%-8s %s: %s\n' "$1:" "$2" "$3"; }
ok() { n_ok=$((n_ok + 1)); line ok "$1" "$2"; }
did() { n_done=$((n_done + 1)); line "done" "$1" "$2"; }
missing() { n_missing=$((n_missing + 1)); line missing "$1" "$2"; }
warn() { n_warn=$((n_warn + 1)); line warn "$1" "$2"; }
note() { printf '%-8s %s\n' "" "$1"; }
die() {
  line error "$1" "$2" >&2
  exit 1
}

# ---- unexpected failures ------------------------------------------------------------------
# With set -e a failing command ends the script; this trap says where and what, so the script
# never dies silently. current_step and current_log are set by run_step.

current_step=arguments
current_log=""
readonly STEPS=(preconditions packages java kvm libvirt default-network docker sshd libvirt-remote qemu-access directories cli)

on_unexpected_failure() {
  local status=$1 line_no=$2 command=$3 where=${FUNCNAME[1]:-main}
  trap - ERR
  {
    printf '%-8s %s: %s\n' "error:" "step $current_step" "command failed with status $status: $command"
    printf '%-8s %s\n' "" "at ${BASH_SOURCE[1]:-$0} line $line_no (in $where)"
    if [[ -n $current_log ]]; then
      printf '%-8s %s\n' "" "read $current_log; then fix the cause and run the script again (it resumes where it stopped)"
    else
      printf '%-8s %s\n' "" "the output above is all there is for this step; fix the cause and run the script again"
    fi
  } >&2
  exit "$status"
}
trap 'on_unexpected_failure $? $LINENO "$BASH_COMMAND"' ERR

# Runs one step with its name and log known to the failure trap.
run_step() {
  current_step=$1
  current_log=$2
  shift 2
  if [[ -n $only_step && $current_step != preconditions && $current_step != "$only_step" ]]; then
    return 0
  fi
  if [[ ${TESTBED_SETUP_FAIL_AT:-} == "$current_step" ]]; then
    false # injected by TESTBED_SETUP_FAIL_AT, to prove failures are reported
  fi
  "$@"
}

usage() {
  # The comment block at the top of this file.
  awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "${BASH_SOURCE[0]}"
}

# ---- helpers ------------------------------------------------------------------------------

pkg_installed() {
  [[ $(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null) == ii* ]]
}

# True when the process exists and is not a zombie (a killed daemon can stay one for a while
# when PID 1 is slow to reap it).
process_alive() {
  local state
  state=$(ps -o stat= -p "$1" 2>/dev/null) && [[ $state != Z* ]]
}

# Prints the pid of a running daemon: from its pid file when that names a live process with the
# right name, else the oldest live process of that name. Fails when none runs.
daemon_pid() {
  local name=$1 pid_file=$2 pid
  if [[ -r $pid_file ]]; then
    pid=$(<"$pid_file")
    if [[ $pid =~ ^[0-9]+$ && $(cat "/proc/$pid/comm" 2>/dev/null) == "$name" ]] && process_alive "$pid"; then
      echo "$pid"
      return 0
    fi
  fi
  for pid in $(pgrep -x "$name" | sort -n); do
    if process_alive "$pid"; then
      echo "$pid"
      return 0
    fi
  done
  return 1
}

process_gone() { ! process_alive "$1"; }

# Runs a command until it succeeds, for at most $1 seconds.
wait_until() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.5
  done
}

elapsed_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f s", b - a }'; }

# Makes sure a directory exists with the given mode (as stat %a prints it) and owner:group.
ensure_dir() {
  local path=$1 mode=$2 owner=$3 current
  if [[ -d $path ]]; then
    current=$(stat -c '%a %U:%G' "$path")
    if [[ $current == "$mode $owner" ]]; then
      ok "$path" "exists ($mode $owner)"
    elif $check_only; then
      missing "$path" "is $current, should be $mode $owner"
    else
      chown "$owner" "$path"
      chmod "$mode" "$path"
      did "$path" "set to $mode $owner (was $current)"
    fi
  elif $check_only; then
    missing "$path" "does not exist (should be a directory, $mode $owner)"
  else
    mkdir -p "$path"
    chown "$owner" "$path"
    chmod "$mode" "$path"
    did "$path" "created ($mode $owner)"
  fi
}

# Makes sure an existing file has the given mode and owner:group.
ensure_file_mode() {
  local path=$1 mode=$2 owner=$3 item=$4 current
  current=$(stat -c '%a %U:%G' "$path")
  [[ $current == "$mode $owner" ]] && return 0
  if $check_only; then
    missing "$item" "$path is $current, should be $mode $owner"
    return 1
  fi
  chown "$owner" "$path"
  chmod "$mode" "$path"
  did "$item" "$path set to $mode $owner (was $current)"
  return 1
}

# ---- steps --------------------------------------------------------------------------------

step_preconditions() {
  if ((EUID != 0)); then
    if command -v sudo >/dev/null; then
      die setup "must run as root (running as $(id -un), uid $EUID): sudo bash $0${*:+ $*}"
    fi
    die setup "must run as root (running as $(id -un), uid $EUID, and sudo is not installed): open a root shell with 'su -' and run: bash $0${*:+ $*}"
  fi
  if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
    die setup "needs a Debian or Ubuntu host (dpkg-query and apt-get not found)"
  fi
  local cores
  cores=$(nproc)
  if ((cores >= 2)); then
    ok cpu "$cores cores"
  else
    warn cpu "$cores core: Testbed needs 2 or more (guests run under software emulation)"
  fi
}

step_packages() {
  local wanted=() absent=() package
  for package in "${PACKAGES[@]}"; do
    case $package in
      docker.io)
        # docker.io conflicts with Docker's own docker-ce packages; either engine will do.
        if pkg_installed docker-ce || { ! pkg_installed docker.io && command -v dockerd >/dev/null; }; then
          continue
        fi
        ;;
      busybox-static)
        # busybox-static replaces busybox; an installed busybox is left alone.
        pkg_installed busybox && continue
        ;;
    esac
    wanted+=("$package")
  done
  if ! command -v java >/dev/null || ! command -v javac >/dev/null; then wanted+=("$JDK_PACKAGE"); fi
  command -v mvn >/dev/null || wanted+=("$MAVEN_PACKAGE")

  for package in "${wanted[@]}"; do
    pkg_installed "$package" || absent+=("$package")
  done

  if ((${#absent[@]} == 0)); then
    ok packages "all ${#wanted[@]} installed"
  elif $check_only; then
    missing packages "not installed: ${absent[*]}"
  else
    export DEBIAN_FRONTEND=noninteractive
    # No recommended packages: qemu-system-x86 alone would bring a desktop's worth of them (GUI,
    # sound, speech), hundreds of packages that a test host never uses.
    if ! { apt-get update && apt-get install -y --no-install-recommends "${absent[@]}"; } >>"$APT_LOG" 2>&1; then
      tail -n 20 "$APT_LOG" >&2
      die packages "apt-get could not install ${absent[*]}; full log in $APT_LOG"
    fi
    did packages "installed ${absent[*]} (log: $APT_LOG)"
  fi
}

step_java() {
  if ! command -v java >/dev/null || ! command -v mvn >/dev/null; then
    # Only reachable in --check mode, or when the packages above did not provide them.
    if $check_only; then missing java "java or mvn not on PATH"; else die java "java or mvn not on PATH after installing $JDK_PACKAGE $MAVEN_PACKAGE"; fi
    return
  fi
  local version
  version=$(java -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ { print $2 }')
  if [[ $version =~ ^[0-9]+$ ]] && ((version >= 17)); then
    ok java "Java $version ($(command -v java)), $(command -v mvn)"
  else
    warn java "java on PATH is version ${version:-unknown}; Testbed needs 17 or newer: install $JDK_PACKAGE and select it with update-alternatives --config java"
  fi
}

explain_kvm() {
  note "Why: without udev, /dev/kvm stays root:root 0600. libvirt probes QEMU's capabilities as root"
  note "(KVM works), then finds KVM unusable for the QEMU user $QEMU_USER and throws its cache away"
  note "on every call: defining a domain took 50-100 s and each start ~4 s (libvirt debug log: \"KVM"
  note "was enabled when probing ..., but it is not available now\"). Group kvm, mode 0660, as udev"
  note "does elsewhere, brought 'virsh domcapabilities' from 4.1 s to 0.03 s. The mode is lost on a"
  note "reboot without udev: rerun this script. KVM guests may still hang on some hosts; the libvirt"
  note "provider then uses TCG (software emulation)."
}

step_kvm() {
  # Without udev /dev/kvm is root:root 0600. libvirt probes QEMU's capabilities as root, where
  # KVM works, then sees KVM unusable for the QEMU user and throws the probe away on every call:
  # defining a domain took 50-100 s, each start ~4 s. Group kvm + mode 0660 (what udev does
  # elsewhere) and the QEMU user in group kvm fix it: 'virsh domcapabilities' 4.1 s -> 0.03 s.
  if [[ ! -e /dev/kvm ]]; then
    ok /dev/kvm "absent: guests will run under TCG (software emulation)"
    return
  fi
  if ! getent group kvm >/dev/null; then
    if $check_only; then missing "group kvm" "does not exist"; else
      groupadd --system kvm
      did "group kvm" "created"
    fi
  fi
  local state
  state=$(stat -c '%G %a' /dev/kvm)
  if [[ $state == "kvm 660" || $state == *" 666" ]]; then
    ok /dev/kvm "group ${state% *}, mode 0${state#* }"
  elif $check_only; then
    missing /dev/kvm "group ${state% *}, mode 0${state#* }: should be group kvm, mode 0660"
  else
    chgrp kvm /dev/kvm
    chmod 660 /dev/kvm
    did /dev/kvm "set to group kvm, mode 0660 (was group ${state% *}, mode 0${state#* })"
  fi
  if id -u "$QEMU_USER" >/dev/null 2>&1; then
    if [[ " $(id -nG "$QEMU_USER") " == *" kvm "* ]]; then
      ok "$QEMU_USER" "in group kvm"
    elif $check_only; then
      missing "$QEMU_USER" "not in group kvm"
    else
      usermod -a -G kvm "$QEMU_USER"
      did "$QEMU_USER" "added to group kvm"
    fi
  fi
  if $check_only; then explain_kvm; fi
}

libvirt_answers() { timeout 10 virsh -c "$LIBVIRT_URI" version >/dev/null 2>&1; }

# On a host where systemd is the init system its units are used instead of starting the
# daemons by hand (they are socket-activated there).
systemd_runs() { [[ -d /run/systemd/system ]]; }

# Switches the default network's autostart off before libvirtd starts, so that it does not
# come up even once.
disable_default_network_autostart() {
  if [[ -L $DEFAULT_NET_AUTOSTART_LINK || -e $DEFAULT_NET_AUTOSTART_LINK ]]; then
    rm -f "$DEFAULT_NET_AUTOSTART_LINK"
    did "default network" "autostart disabled before starting libvirtd (removed $DEFAULT_NET_AUTOSTART_LINK)"
  fi
}

step_libvirt() {
  local pid started
  if pid=$(daemon_pid virtlogd /run/virtlogd.pid); then
    ok virtlogd "already running (pid $pid)"
  elif systemd_runs && systemctl is-active --quiet virtlogd.socket; then
    ok virtlogd "socket-activated by systemd (virtlogd.socket)"
  elif $check_only; then
    missing virtlogd "not running"
  elif systemd_runs; then
    systemctl start virtlogd.socket || die virtlogd "systemctl start virtlogd.socket failed; see journalctl -u virtlogd"
    did virtlogd "started virtlogd.socket (systemd)"
  else
    virtlogd -d </dev/null >/dev/null 2>>"$LIBVIRTD_LOG" ||
      die virtlogd "virtlogd -d failed; see $LIBVIRTD_LOG"
    wait_until 10 daemon_pid virtlogd /run/virtlogd.pid >/dev/null ||
      die virtlogd "virtlogd -d returned but no virtlogd runs; see $LIBVIRTD_LOG"
    did virtlogd "started (pid $(daemon_pid virtlogd /run/virtlogd.pid))"
  fi

  if pid=$(daemon_pid libvirtd /run/libvirtd.pid); then
    if ! $check_only && ! libvirt_answers; then
      wait_until "$WAIT_SECONDS" libvirt_answers ||
        die libvirtd "runs (pid $pid) but 'virsh -c $LIBVIRT_URI version' did not answer within ${WAIT_SECONDS} s; see $LIBVIRTD_LOG, or stop it (kill $pid) and rerun"
    fi
    if libvirt_answers; then
      ok libvirtd "already running (pid $pid), answers on $LIBVIRT_URI"
    else
      missing libvirtd "runs (pid $pid) but does not answer on $LIBVIRT_URI"
    fi
  elif systemd_runs && systemctl is-active --quiet libvirtd.socket; then
    # Socket-activated: the first call starts it.
    if ! $check_only; then disable_default_network_autostart; fi
    if libvirt_answers; then
      ok libvirtd "answers on $LIBVIRT_URI (socket-activated by systemd)"
    else
      missing libvirtd "libvirtd.socket is active but $LIBVIRT_URI does not answer; see journalctl -u libvirtd"
    fi
  elif $check_only; then
    missing libvirtd "not running"
  else
    disable_default_network_autostart
    started=$EPOCHREALTIME
    start_libvirtd
    did libvirtd "started (pid $(daemon_pid libvirtd /run/libvirtd.pid || echo unknown)), answers on $LIBVIRT_URI after $(elapsed_since "$started")"
  fi
}

# Starts libvirtd (systemd's unit where systemd runs, else the daemon itself) and waits until
# it answers.
start_libvirtd() {
  if systemd_runs; then
    systemctl start libvirtd || die libvirtd "systemctl start libvirtd failed; see journalctl -u libvirtd"
  else
    LIBVIRT_LOG_OUTPUTS="3:file:$LIBVIRTD_LOG" libvirtd -d </dev/null >/dev/null 2>>"$LIBVIRTD_LOG" ||
      die libvirtd "libvirtd -d failed; see $LIBVIRTD_LOG"
  fi
  wait_until "$WAIT_SECONDS" libvirt_answers ||
    die libvirtd "started but 'virsh -c $LIBVIRT_URI version' did not answer within ${WAIT_SECONDS} s; see $LIBVIRTD_LOG"
}

# Prints a libvirtd.conf setting's value as written (quotes kept), from its last uncommented
# line; nothing when it is not set.
libvirtd_conf_value() {
  [[ -r $LIBVIRTD_CONF ]] || return 0
  sed -nE "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*([^#]*[^#[:space:]])[[:space:]]*(#.*)?$/\1/p" "$LIBVIRTD_CONF" | tail -n 1
}

# Stops libvirtd and starts it again, to read a changed libvirtd.conf. Running guests survive
# (QEMU runs on; libvirtd reconnects to it).
restart_libvirtd() {
  local pid
  if systemd_runs; then
    systemctl restart libvirtd || die libvirtd "systemctl restart libvirtd failed; see journalctl -u libvirtd"
    wait_until "$WAIT_SECONDS" libvirt_answers ||
      die libvirtd "restarted but 'virsh -c $LIBVIRT_URI version' did not answer within ${WAIT_SECONDS} s; see journalctl -u libvirtd"
    return
  fi
  if pid=$(daemon_pid libvirtd /run/libvirtd.pid); then
    kill "$pid"
    wait_until "$WAIT_SECONDS" process_gone "$pid" ||
      die libvirtd "did not stop within ${WAIT_SECONDS} s after SIGTERM (pid $pid)"
  fi
  start_libvirtd
}

# A qemu+ssh:// connection runs virt-ssh-helper (or nc) as the SSH user on the remote host, which
# then opens libvirtd's read-write socket. By default libvirtd asks polkit whether a non-root
# user may, and polkit needs a system D-Bus ("Unable to get system bus connection" without
# one). Instead the socket belongs to group libvirt (mode 0770, no further authentication) and
# the test sshd's user is in that group: the remote path can be tried against this host.
step_libvirt_remote() {
  local setting key want have pid changed=() wrong=false
  if [[ ! -f $LIBVIRTD_CONF ]]; then
    missing "libvirtd socket" "$LIBVIRTD_CONF does not exist (comes with libvirt-daemon-system)"
    return
  fi
  for setting in "${LIBVIRTD_SOCKET_SETTINGS[@]}"; do
    key=${setting%%=*} want=${setting#*=}
    have=$(libvirtd_conf_value "$key")
    [[ $have == "$want" ]] && continue
    if $check_only; then
      missing "libvirtd socket" "$key is ${have:-not set}, should be $want in $LIBVIRTD_CONF"
      wrong=true
      continue
    fi
    if [[ -n $have ]]; then
      sed -i -E "s/^[[:space:]]*$key[[:space:]]*=.*/$key = $want/" "$LIBVIRTD_CONF"
    else
      printf '%s = %s\n' "$key" "$want" >>"$LIBVIRTD_CONF"
    fi
    changed+=("$key = $want (was ${have:-not set})")
  done
  if ((${#changed[@]} > 0)); then
    did "libvirtd socket" "set in $LIBVIRTD_CONF: $(IFS=';'; echo "${changed[*]}" | sed 's/;/, /g')"
    if pid=$(daemon_pid libvirtd /run/libvirtd.pid) || systemd_runs; then
      restart_libvirtd
      did libvirtd "restarted for the new socket settings (pid $(daemon_pid libvirtd /run/libvirtd.pid || echo unknown))"
    fi
  elif ! $wrong; then
    ok "libvirtd socket" "read-write socket for group $LIBVIRT_GROUP (mode 0770, auth none) in $LIBVIRTD_CONF"
  fi

  if ! getent group "$LIBVIRT_GROUP" >/dev/null; then
    if $check_only; then missing "group $LIBVIRT_GROUP" "does not exist"; else
      groupadd --system "$LIBVIRT_GROUP"
      did "group $LIBVIRT_GROUP" "created"
    fi
  fi
  if ! id -u "$SSHD_USER" >/dev/null 2>&1; then
    $check_only || die "sshd user" "$SSHD_USER does not exist after step sshd"
  elif [[ " $(id -nG "$SSHD_USER") " == *" $LIBVIRT_GROUP "* ]]; then
    ok "sshd user" "$SSHD_USER in group $LIBVIRT_GROUP (may use qemu+ssh://$SSHD_USER@127.0.0.1:$SSHD_PORT/system)"
  elif $check_only; then
    missing "sshd user" "$SSHD_USER not in group $LIBVIRT_GROUP (remote libvirt through the test sshd)"
  else
    usermod -a -G "$LIBVIRT_GROUP" "$SSHD_USER"
    did "sshd user" "$SSHD_USER added to group $LIBVIRT_GROUP (remote libvirt through the test sshd)"
  fi
}

step_default_network() {
  local item="default network" info active autostart
  if ! libvirt_answers; then
    # --check with libvirtd down: only the autostart link can be looked at.
    if [[ -L $DEFAULT_NET_AUTOSTART_LINK || -e $DEFAULT_NET_AUTOSTART_LINK ]]; then
      missing "$item" "autostart is on (192.168.122.0/24 would come up with libvirtd)"
    else
      ok "$item" "autostart off (libvirtd not running, activity not checked)"
    fi
    return
  fi
  if ! info=$(virsh -c "$LIBVIRT_URI" net-info "$DEFAULT_NET" 2>/dev/null); then
    ok "$item" "not defined"
    return
  fi
  active=$(awk '$1 == "Active:" { print $2 }' <<<"$info")
  autostart=$(awk '$1 == "Autostart:" { print $2 }' <<<"$info")
  if [[ $autostart == yes ]]; then
    if $check_only; then missing "$item" "autostart is on (192.168.122.0/24, outside Testbed's range)"; else
      virsh -c "$LIBVIRT_URI" net-autostart "$DEFAULT_NET" --disable >/dev/null
      did "$item" "autostart disabled (192.168.122.0/24, outside Testbed's range)"
    fi
  fi
  if [[ $active == yes ]]; then
    if $check_only; then missing "$item" "active (192.168.122.0/24, outside Testbed's range)"; else
      virsh -c "$LIBVIRT_URI" net-destroy "$DEFAULT_NET" >/dev/null
      did "$item" "stopped (192.168.122.0/24, outside Testbed's range; still defined)"
    fi
  fi
  if [[ $active != yes && $autostart != yes ]]; then
    ok "$item" "defined, inactive, autostart off"
  fi
}

docker_answers() { timeout 10 docker info >/dev/null 2>&1; }

# The daemon.json equivalent of the flags this script gives dockerd.
daemon_json_hint() {
  local base=${DOCKER_POOL#base=}
  printf '{"bip": "%s", "default-address-pools": [{"base": "%s", "size": %s}]}' \
    "$DOCKER_BIP" "${base%%,*}" "${DOCKER_POOL##*size=}"
}

docker_bridge_address() { ip -4 -o addr show dev docker0 2>/dev/null | awk '{ print $4; exit }' || true; }

# True when /etc/docker/daemon.json sets the bridge address or pools: dockerd refuses to start
# when an option is given both there and as a flag, so the flags are left out then.
daemon_json_sets_addresses() {
  [[ -f $DOCKER_DAEMON_JSON ]] && grep -qE '"(bip|default-address-pools)"' "$DOCKER_DAEMON_JSON"
}

# Starts dockerd itself (no systemd), with Testbed's addresses unless daemon.json sets them.
start_dockerd_directly() {
  local started bridge_before args=()
  if daemon_json_sets_addresses; then
    note "dockerd: $DOCKER_DAEMON_JSON sets bip/default-address-pools; using those, not $DOCKER_BIP"
  else
    args=(--bip "$DOCKER_BIP" --default-address-pool "$DOCKER_POOL")
  fi
  bridge_before=$(docker_bridge_address)
  started=$EPOCHREALTIME
  printf '==== %s setup-host.sh: dockerd %s\n' "$(date -Is)" "${args[*]}" >>"$DOCKERD_LOG"
  # Debian's dockerd starts here with its default iptables (nf_tables backend): no
  # --iptables=false, no iptables-legacy needed. setsid detaches it from this script.
  setsid -f dockerd "${args[@]}" </dev/null >>"$DOCKERD_LOG" 2>&1
  if ! wait_until "$WAIT_SECONDS" docker_answers; then
    tail -n 15 "$DOCKERD_LOG" >&2
    die dockerd "started but 'docker info' did not answer within ${WAIT_SECONDS} s; see $DOCKERD_LOG"
  fi
  did dockerd "started (pid $(daemon_pid dockerd /run/docker.pid || echo unknown), log $DOCKERD_LOG), docker info answers after $(elapsed_since "$started")"
  if [[ -n $bridge_before && $bridge_before != "$DOCKER_BIP" && ${#args[@]} -gt 0 ]]; then
    note "docker0 existed with $bridge_before before; dockerd --bip readdresses it"
  fi
}

step_docker() {
  local pid started args=()
  if docker_answers; then
    ok dockerd "already running (pid $(daemon_pid dockerd /run/docker.pid || echo unknown)), docker info answers"
  elif pid=$(daemon_pid dockerd /run/docker.pid); then
    if $check_only; then
      missing dockerd "runs (pid $pid) but 'docker info' does not answer"
    else
      wait_until "$WAIT_SECONDS" docker_answers ||
        die dockerd "runs (pid $pid) but 'docker info' did not answer within ${WAIT_SECONDS} s; see $DOCKERD_LOG or stop it (kill $pid) and rerun"
      ok dockerd "already running (pid $pid), docker info answers"
    fi
  elif $check_only; then
    missing dockerd "not running"
  elif systemd_runs; then
    # dockerd under systemd reads its addresses from daemon.json only; the docker0 check
    # below says what to do when they are outside Testbed's range.
    started=$EPOCHREALTIME
    systemctl start docker || die dockerd "systemctl start docker failed; see journalctl -u docker"
    wait_until "$WAIT_SECONDS" docker_answers ||
      die dockerd "started (systemd) but 'docker info' did not answer within ${WAIT_SECONDS} s; see journalctl -u docker"
    did dockerd "started (systemd unit docker), docker info answers after $(elapsed_since "$started")"
  else
    start_dockerd_directly
  fi
  docker_answers || return 0

  local bridge
  bridge=$(docker_bridge_address)
  if [[ -z $bridge ]] && ! ip link show docker0 >/dev/null 2>&1 && ! $check_only && ! systemd_runs &&
    ! { [[ -f $DOCKER_DAEMON_JSON ]] && grep -q '"bridge"' "$DOCKER_DAEMON_JSON"; } &&
    pid=$(daemon_pid dockerd /run/docker.pid); then
    # something deleted docker0 under a running dockerd (e.g. another dockerd started with --bridge none):
    # containers on the default network cannot start until dockerd creates it again at its start
    kill "$pid"
    wait_until "$WAIT_SECONDS" eval '! kill -0 '"$pid"' 2>/dev/null' ||
      die dockerd "docker0 is missing and dockerd (pid $pid) did not stop within ${WAIT_SECONDS} s after SIGTERM"
    start_dockerd_directly
    did docker0 "was missing under the running dockerd (pid $pid); dockerd restarted to create it again"
    bridge=$(docker_bridge_address)
  fi
  if [[ $bridge == "$DOCKER_BIP" ]]; then
    ok docker0 "$bridge"
  elif [[ -z $bridge ]]; then
    warn docker0 "no IPv4 address on docker0 (dockerd configured with another bridge?); expected $DOCKER_BIP"
  else
    warn docker0 "has $bridge, not $DOCKER_BIP: this dockerd was started without Testbed's --bip. Stop it and rerun this script, or put $(daemon_json_hint) in $DOCKER_DAEMON_JSON and restart dockerd"
  fi
  pid=$(daemon_pid dockerd /run/docker.pid || true)
  if [[ -n $pid && $(tr '\0' ' ' <"/proc/$pid/cmdline") == *--default-address-pool* ]]; then
    :
  elif daemon_json_sets_addresses; then
    :
  else
    warn "docker pools" "dockerd has no default address pool inside 198.18.0.0/15: networks created without a subnet get 172.17.0.0/12 addresses. Stop it and rerun this script, or put $(daemon_json_hint) in $DOCKER_DAEMON_JSON and restart dockerd"
  fi
}

sshd_config_text() {
  cat <<EOF
ListenAddress 127.0.0.1
Port $SSHD_PORT
HostKey $SSHD_HOST_KEY
AuthorizedKeysFile $SSHD_KEYS_DIR/%u
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
PubkeyAuthentication yes
UsePAM no
Subsystem sftp internal-sftp
AllowTcpForwarding no
X11Forwarding no
PidFile $SSHD_PID_FILE
MaxStartups 100:30:200
MaxSessions 50
EOF
}

# Prints the pid of the test sshd (the pid file's process, started with our config).
test_sshd_pid() {
  local pid
  [[ -r $SSHD_PID_FILE ]] || return 1
  pid=$(<"$SSHD_PID_FILE")
  [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] && process_alive "$pid" || return 1
  [[ $(tr '\0' ' ' <"/proc/$pid/cmdline") == *"-f $SSHD_CONFIG"* ]] || return 1
  echo "$pid"
}

sshd_listening() { [[ -n $(ss -Hltn "sport = :$SSHD_PORT" 2>/dev/null) ]]; }

step_sshd() {
  local restart=false entry shell home password

  # The user: shell /bin/sh, home /home/testbed, no usable password. The password field is '*'
  # rather than useradd's '!': with UsePAM no, sshd refuses every login to an account whose
  # password starts with '!' ("account is locked"), keys included.
  if entry=$(getent passwd "$SSHD_USER"); then
    shell=${entry##*:}
    home=$(cut -d: -f6 <<<"$entry")
    if [[ $shell == /bin/sh && $home == "$SSHD_HOME" ]]; then
      ok "sshd user" "$SSHD_USER exists (shell /bin/sh, home $SSHD_HOME)"
    elif $check_only; then
      missing "sshd user" "$SSHD_USER has shell $shell, home $home: should be /bin/sh, $SSHD_HOME"
    else
      usermod --shell /bin/sh --home "$SSHD_HOME" "$SSHD_USER"
      did "sshd user" "$SSHD_USER set to shell /bin/sh, home $SSHD_HOME (was $shell, $home)"
    fi
  elif $check_only; then
    missing "sshd user" "$SSHD_USER does not exist"
  else
    useradd --create-home --home-dir "$SSHD_HOME" --shell /bin/sh --comment "Testbed test sshd" "$SSHD_USER"
    did "sshd user" "$SSHD_USER created (shell /bin/sh, home $SSHD_HOME)"
  fi
  if getent passwd "$SSHD_USER" >/dev/null; then
    password=$(getent shadow "$SSHD_USER" | cut -d: -f2)
    if [[ $password == '*' ]]; then
      ok "sshd user" "$SSHD_USER has no password (locked: '*')"
    elif $check_only; then
      missing "sshd user" "$SSHD_USER's password field is not '*' (no password, not '!'-locked)"
    else
      usermod --password '*' "$SSHD_USER"
      did "sshd user" "$SSHD_USER password set to '*' (no password; '!' would block key logins too)"
    fi
    if [[ ! -d $SSHD_HOME ]]; then
      if $check_only; then missing "sshd user" "home $SSHD_HOME does not exist"; else
        install -d -m 755 -o "$SSHD_USER" -g "$(id -gn "$SSHD_USER")" "$SSHD_HOME"
        did "sshd user" "home $SSHD_HOME created"
      fi
    fi
  fi

  ensure_dir /etc/testbed 755 root:root
  ensure_dir "$SSHD_DIR" 755 root:root

  # Host key, generated once; the tests pin its public half.
  if [[ -s $SSHD_HOST_KEY ]]; then
    if [[ ! -s $SSHD_HOST_KEY.pub ]]; then
      if $check_only; then missing "sshd host key" "$SSHD_HOST_KEY.pub is missing"; else
        ssh-keygen -y -f "$SSHD_HOST_KEY" >"$SSHD_HOST_KEY.pub"
        did "sshd host key" "$SSHD_HOST_KEY.pub rewritten from the private key"
      fi
    fi
    ensure_file_mode "$SSHD_HOST_KEY" 600 root:root "sshd host key" || restart=true
    [[ -e $SSHD_HOST_KEY.pub ]] && { ensure_file_mode "$SSHD_HOST_KEY.pub" 644 root:root "sshd host key" || true; }
    ok "sshd host key" "present ($(ssh-keygen -l -f "$SSHD_HOST_KEY" | awk '{ print $2 }'))"
  elif $check_only; then
    missing "sshd host key" "$SSHD_HOST_KEY does not exist"
  else
    ssh-keygen -q -t ed25519 -N '' -C "testbed-sshd@$(hostname)" -f "$SSHD_HOST_KEY"
    chmod 600 "$SSHD_HOST_KEY"
    chmod 644 "$SSHD_HOST_KEY.pub"
    did "sshd host key" "generated $SSHD_HOST_KEY ($(ssh-keygen -l -f "$SSHD_HOST_KEY" | awk '{ print $2 }'))"
    restart=true
  fi

  # Authorized keys: the tests append their per-prefix key and remove it afterwards; this
  # script creates the file when missing and never touches its content.
  ensure_dir "$SSHD_KEYS_DIR" 755 root:root
  local keys_file=$SSHD_KEYS_DIR/$SSHD_USER
  if [[ -f $keys_file ]]; then
    ensure_file_mode "$keys_file" 644 root:root "sshd authorized_keys" &&
      ok "sshd authorized_keys" "$keys_file exists ($(grep -c . "$keys_file" || true) key(s))"
  elif $check_only; then
    missing "sshd authorized_keys" "$keys_file does not exist"
  elif [[ -d $SSHD_KEYS_DIR ]]; then
    install -m 644 -o root -g root /dev/null "$keys_file"
    did "sshd authorized_keys" "created empty $keys_file"
  fi

  # The configuration; the daemon is restarted only when it changed.
  if [[ -f $SSHD_CONFIG ]] && cmp -s <(sshd_config_text) "$SSHD_CONFIG"; then
    ok "sshd config" "$SSHD_CONFIG up to date"
  elif $check_only; then
    missing "sshd config" "$SSHD_CONFIG $([[ -f $SSHD_CONFIG ]] && echo differs from the contract || echo does not exist)"
  elif [[ -d $SSHD_DIR ]]; then
    sshd_config_text >"$SSHD_CONFIG.new"
    chmod 644 "$SSHD_CONFIG.new"
    mv -f "$SSHD_CONFIG.new" "$SSHD_CONFIG"
    did "sshd config" "wrote $SSHD_CONFIG"
    restart=true
  fi

  # The privilege separation directory, normally made by the init system.
  if [[ ! -d /run/sshd ]] && ! $check_only; then
    install -d -m 755 /run/sshd
  fi

  local pid
  if pid=$(test_sshd_pid); then
    if $restart && ! $check_only; then
      /usr/sbin/sshd -t -f "$SSHD_CONFIG" || die sshd "$SSHD_CONFIG is invalid (sshd -t); running sshd (pid $pid) left alone"
      # SIGHUP: sshd re-executes itself with its original arguments and rereads the config.
      kill -HUP "$pid"
      sleep 0.3
      wait_until 10 sshd_listening || die sshd "no longer listens on 127.0.0.1:$SSHD_PORT after SIGHUP (pid $pid)"
      did sshd "restarted (SIGHUP, pid $pid) for the new config/host key, listening on 127.0.0.1:$SSHD_PORT"
    elif sshd_listening; then
      ok sshd "already running (pid $pid), listening on 127.0.0.1:$SSHD_PORT"
    else
      missing sshd "runs (pid $pid) but nothing listens on 127.0.0.1:$SSHD_PORT"
    fi
  elif $check_only; then
    missing sshd "not running ($SSHD_PID_FILE names no sshd started with -f $SSHD_CONFIG)"
  else
    if sshd_listening; then
      die sshd "port $SSHD_PORT is taken by another process ($(ss -Hltnp "sport = :$SSHD_PORT" | grep -o 'users:.*' | head -n 1)); stop it and rerun"
    fi
    /usr/sbin/sshd -t -f "$SSHD_CONFIG" || die sshd "$SSHD_CONFIG is invalid (sshd -t)"
    /usr/sbin/sshd -f "$SSHD_CONFIG" -E "$SSHD_LOG" </dev/null >/dev/null
    wait_until 10 sshd_listening || die sshd "started but nothing listens on 127.0.0.1:$SSHD_PORT"
    did sshd "started (pid $(test_sshd_pid || echo unknown)), listening on 127.0.0.1:$SSHD_PORT"
  fi
}

# True when the QEMU user may enter the directory by its own permission bits (ACLs ignored).
qemu_user_may_enter() {
  local mode owner group
  read -r mode owner group < <(stat -c '%a %U %G' "$1")
  mode=$((8#$mode))
  if [[ $owner == "$QEMU_USER" ]]; then
    ((mode & 8#100))
  elif [[ " $(id -nG "$QEMU_USER") " == *" $group "* ]]; then
    ((mode & 8#010))
  else
    ((mode & 8#001))
  fi
}

# Under qemu:///system QEMU runs as libvirt-qemu and must open files under the checkout's
# target/testbed (disks, kernels, console logs): every directory on the way needs x for it.
step_qemu_access() {
  local item="qemu access" target=$REPO_DIR/target/testbed
  if ! id -u "$QEMU_USER" >/dev/null 2>&1; then
    missing "$item" "user $QEMU_USER does not exist (comes with libvirt-daemon-system)"
    return
  fi
  local dir=$REPO_DIR blocked=()
  while :; do
    qemu_user_may_enter "$dir" || blocked=("$dir" "${blocked[@]}")
    [[ $dir == / ]] && break
    dir=$(dirname "$dir")
  done
  for dir in "${blocked[@]}"; do
    warn "$item" "$QEMU_USER cannot enter $dir ($(stat -c '%A %U:%G' "$dir")), so VMs cannot use prefixes under $target. Fix: chmod o+x $dir (lets others pass through, not list it), or clone the repository where $QEMU_USER can reach it"
  done
  ((${#blocked[@]} == 0)) || return 0
  if runuser -u "$QEMU_USER" -- test -x "$REPO_DIR" 2>/dev/null; then
    ok "$item" "$QEMU_USER can reach $target"
  else
    warn "$item" "$QEMU_USER cannot reach $REPO_DIR although the permission bits allow it (an ACL or a mount option?); VMs cannot use prefixes under $target"
  fi
}

step_directories() {
  ensure_dir "$TEMPLATE_CACHE" 755 root:root
  if [[ ! -d ${LEASES_DIR%/*} ]] && ! $check_only; then
    install -d -m 755 "${LEASES_DIR%/*}"
  fi
  ensure_dir "$LEASES_DIR" 1777 root:root
}

# The completion the set-up installs: it asks the command for picocli's completion script on the
# first TAB after "testbed" (one JVM start), so the file never goes stale when the commands change.
completion_loader_text() {
  cat <<'LOADER'
# Shell completion of the testbed command, installed by Testbed's scripts/setup-host.sh. The
# script itself comes from the command (picocli's generate-completion) on the first TAB.
_testbed_load_completion() {
  local script
  script=$(TESTBED_NO_BUILD=1 testbed generate-completion 2>/dev/null) || return 0
  eval "$script" # defines _complete_testbed and makes it testbed's completion
  _complete_testbed "$@"
}
complete -o default -F _testbed_load_completion testbed
LOADER
}

# The testbed command on the PATH and its completion. The jar is built by the main job, or by the
# launcher on first use (it says so).
step_cli() {
  local launcher=$REPO_DIR/scripts/testbed
  if [[ -e $TESTBED_LINK && ! -L $TESTBED_LINK ]]; then
    warn "$TESTBED_LINK" "exists and is not a link to $launcher; left alone: run $launcher directly"
  elif [[ $(readlink "$TESTBED_LINK" 2>/dev/null) == "$launcher" ]]; then
    ok "$TESTBED_LINK" "links to $launcher"
  elif $check_only; then
    missing "$TESTBED_LINK" "should link to $launcher (the testbed command)"
  else
    ln -sfn "$launcher" "$TESTBED_LINK"
    did "$TESTBED_LINK" "linked to $launcher (the testbed command)"
  fi
  if [[ -f $COMPLETION_FILE && $(<"$COMPLETION_FILE") == "$(completion_loader_text)" ]]; then
    ok "$COMPLETION_FILE" "completion of testbed"
  elif $check_only; then
    missing "$COMPLETION_FILE" "the completion of testbed is not installed"
  else
    mkdir -p "${COMPLETION_FILE%/*}"
    completion_loader_text >"$COMPLETION_FILE"
    did "$COMPLETION_FILE" "completion of testbed installed (new shells complete its commands and options)"
  fi
  if [[ -f $REPO_DIR/cli/target/testbed-cli.jar ]]; then
    ok "testbed command" "built: cli/target/testbed-cli.jar"
  else
    ok "testbed command" "not built yet: the first 'testbed' (or the main job) builds cli/target/testbed-cli.jar"
  fi
}

# --check with the command built: its doctor checks more (KVM by a probe boot, the daemons as
# Testbed's clients reach them, kernel features, addresses in the pool); a FAIL there counts as
# missing, its warnings are its own.
step_doctor() {
  local jar=$REPO_DIR/cli/target/testbed-cli.jar
  [[ -f $jar ]] || return 0
  echo "doctor:  testbed doctor (cli/target/testbed-cli.jar):"
  if TESTBED_NO_BUILD=1 "$REPO_DIR/scripts/testbed" doctor 2>&1 | sed -u 's/^/         /'; then
    ok doctor "no FAIL"
  else
    missing doctor "testbed doctor found a FAIL above"
  fi
}

step_main_job() {
  current_step="main job" current_log=""
  echo "main job: ${MAIN_JOB[*]} (in $REPO_DIR)"
  echo "main job: runs $MAIN_JOB_TESTS against real VMs; the first run builds the tiny template"
  cd "$REPO_DIR"
  exec "${MAIN_JOB[@]}"
}

summary() {
  local text
  if $check_only; then
    text="$n_ok in place, $n_missing missing"
  else
    text="$n_done done, $n_ok already in place"
    ((n_done > 0)) || text+=" (nothing changed)"
  fi
  ((n_warn == 0)) || text+=", $n_warn warning(s)"
  echo "summary: $text"
}

main() {
  local arg
  for arg in "$@"; do
    case $arg in
      --check) check_only=true ;;
      --run-example) run_example=true ;;
      --only=*)
        only_step=${arg#--only=}
        [[ " ${STEPS[*]} " == *" $only_step "* ]] || die arguments "--only=$only_step names no step; steps: ${STEPS[*]}"
        ;;
      -h | --help)
        usage
        exit 0
        ;;
      *)
        usage >&2
        die arguments "unknown argument '$arg'"
        ;;
    esac
  done
  if $check_only && $run_example; then
    die arguments "--check changes nothing and runs nothing: use it without --run-example"
  fi

  if [[ -n ${TESTBED_SETUP_FAIL_AT:-} && " ${STEPS[*]} " != *" $TESTBED_SETUP_FAIL_AT "* ]]; then
    die arguments "TESTBED_SETUP_FAIL_AT=$TESTBED_SETUP_FAIL_AT names no step; steps: ${STEPS[*]}"
  fi
  run_step preconditions "" step_preconditions "$@"
  run_step packages "$APT_LOG" step_packages
  run_step java "" step_java
  run_step kvm "" step_kvm
  run_step libvirt "$LIBVIRTD_LOG" step_libvirt
  run_step default-network "$LIBVIRTD_LOG" step_default_network
  run_step docker "$DOCKERD_LOG" step_docker
  run_step sshd "$SSHD_LOG" step_sshd
  run_step libvirt-remote "$LIBVIRTD_LOG" step_libvirt_remote
  run_step qemu-access "" step_qemu_access
  run_step directories "" step_directories
  run_step cli "" step_cli
  if $check_only; then run_step doctor "" step_doctor; fi
  current_step=summary current_log=""
  summary

  if $check_only; then
    ((n_missing + n_warn == 0)) || exit 1
    exit 0
  fi
  if $run_example; then
    step_main_job
  fi
}

main "$@"
